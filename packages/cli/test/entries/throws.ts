// Throws while loading.
import { McpServer } from "@portico/core";

const ready = false;
if (!ready) throw new Error("the module is not configured");

export default new McpServer({ name: "never", version: "1.0.0" });

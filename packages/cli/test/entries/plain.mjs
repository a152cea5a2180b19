// A JavaScript entry.
import { addTool, McpServer } from "@portico/core";

export const server = new McpServer({ name: "plain-js", version: "1.0.0" });
addTool(server, "who", { description: "Says which export is served." }, () => "javascript");

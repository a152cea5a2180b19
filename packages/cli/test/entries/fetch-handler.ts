// A ready { fetch } handler (createHandler's result): served as it is.
import { addTool, createHandler, McpServer } from "@portico/core";

const server = new McpServer({ name: "handler", version: "1.0.0" });
addTool(server, "who", { description: "Says which export is served." }, () => "fetch handler");

export const handler = createHandler(server);

// An export named `server` (an McpServer instance) beside a helper function: `server` is served.
import { addTool, McpServer } from "@portico/core";

export function helper(): string {
  return "not the server";
}

export const server = new McpServer({ name: "named", version: "1.0.0" });
addTool(server, "who", { description: "Says which export is served." }, () => "named server");

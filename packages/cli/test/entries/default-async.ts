// The default export: an async function returning the server; another export is chosen with --export.
import { addTool, McpServer } from "@portico/core";

export default async function create(): Promise<McpServer> {
  await new Promise((resolve) => setTimeout(resolve, 5));
  const server = new McpServer({ name: "default-async", version: "1.0.0" });
  addTool(server, "who", { description: "Says which export is served." }, () => "default export");
  return server;
}

export const other = new McpServer({ name: "other", version: "1.0.0" });
addTool(other, "who", { description: "Says which export is served." }, () => "other export");

/** The tools of the README's Worker (`./tools.ts` there). */
import { addTool, McpServer } from "@portico/core";

export function createServer(): McpServer {
  const server = new McpServer({ name: "module-scope-worker", version: "1.0.0" });
  addTool(server, "add", { description: "Adds a and b" }, ({ a, b }) => String(Number(a) + Number(b)));
  return server;
}

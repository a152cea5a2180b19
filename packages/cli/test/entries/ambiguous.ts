// Two functions: the CLI cannot tell which one makes the server.
import { McpServer } from "@portico/core";

export function makeOne(): McpServer {
  return new McpServer({ name: "one", version: "1.0.0" });
}

export function makeTwo(): McpServer {
  return new McpServer({ name: "two", version: "1.0.0" });
}

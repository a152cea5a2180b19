import { handle } from "@portico/adapter-lambda";
import { createHandler, McpServer } from "@portico/core";
import * as v from "valibot";

const server = new McpServer({ name: "bench", version: "1.0.0" });
server.tool(
  "add",
  { description: "Add two numbers", input: v.object({ a: v.number(), b: v.number() }) },
  ({ a, b }) => String(a + b),
);
export const handler = handle(createHandler(server));

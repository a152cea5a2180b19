/**
 * A Lambda serving GitHub's REST API as MCP tools (bundled by openapi-cost.ts): at init it reads the
 * OpenAPI document from `SPEC_FILE` (shipped beside the bundle, as a deployment would) and converts
 * it; every operation becomes a tool calling https://api.github.com with the caller's token.
 */
import { readFileSync } from "node:fs";
import { handle } from "@portico/adapter-lambda";
import { createHandler, McpServer } from "@portico/core";
import { fromOpenAPI } from "@portico/openapi";

const server = new McpServer({ name: "github", version: "1.0.0" });
await fromOpenAPI(server, readFileSync(process.env.SPEC_FILE as string, "utf8"), {
  baseUrl: "https://api.github.com",
  auth: "forward",
});
const secret = process.env.PORTICO_SECRET;
export const handler = handle(createHandler(server, secret === undefined ? {} : { secret }));

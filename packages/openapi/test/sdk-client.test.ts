/** End to end: the real MCP SDK v1 client, over HTTP (adapter-node), lists and calls a converted petstore tool that calls the petstore API. */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { type Server, serve } from "@portico/adapter-node";
import { McpServer } from "@portico/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromOpenAPI } from "../src/index.ts";
import { handlerOf } from "./_mcp.ts";
import { type PetstoreApi, startPetstore } from "./_petstore-api.ts";
import { petstore } from "./_specs.ts";

describe("the SDK v1 client", () => {
  let api: PetstoreApi;
  let http: Server;
  let client: Client;
  const handler = (() => {
    const server = new McpServer({ name: "petstore", version: "1.0.0" });
    return { server, handler: handlerOf(server) };
  })();

  beforeAll(async () => {
    api = await startPetstore();
    await fromOpenAPI(handler.server, petstore(), { baseUrl: api.base });
    http = await serve(handler.handler, { port: 0, hostname: "127.0.0.1" });
    client = new Client({ name: "openapi-v1", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${http.url}/mcp`)));
  });

  afterAll(async () => {
    await client?.close();
    await http?.close();
    await handler.handler.close?.();
    await api?.close();
  });

  it("lists the converted tools and calls one end to end", async () => {
    const { tools } = await client.listTools();
    expect(tools.length).toBe(19);
    const getPet = tools.find((t) => t.name === "getPetById");
    expect(getPet?.inputSchema).toEqual({
      type: "object",
      properties: { petId: { type: "integer", format: "int64", description: "ID of pet to return" } },
      required: ["petId"],
    });
    expect(getPet?.annotations).toEqual({ readOnlyHint: true, openWorldHint: true });
    const result = await client.callTool({ name: "getPetById", arguments: { petId: 2 } });
    expect(result.structuredContent).toEqual({
      id: 2,
      name: "Tom",
      photoUrls: ["https://example.com/tom.png"],
      status: "sold",
    });
    expect(api.last().url).toBe("/v2/pet/2");
    const missing = await client.callTool({ name: "getPetById", arguments: { petId: 404 } });
    expect(missing.isError).toBe(true);
  });
});

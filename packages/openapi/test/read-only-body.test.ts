/**
 * A merged request body sends what a client may set: `readOnly` properties are left out of the
 * input schema, and now out of the body too. Before, the input schema (which allows other
 * properties) let a client add `role: "admin"` to `createUser`, and the body carried it (mass
 * assignment). A body whose schema forbids other properties sends only its own (non-readOnly)
 * ones; one that allows them still sends every other argument, as documented.
 */
import { McpServer } from "@portico/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromOpenAPI } from "../src/index.ts";
import { callTool, handlerOf, listTools } from "./_mcp.ts";
import { type Recorder, startRecorder } from "./_recorder.ts";

let api: Recorder;
beforeAll(async () => {
  api = await startRecorder();
});
afterAll(() => api.close());

const ok = { "200": { description: "ok", content: { "application/json": { schema: { type: "object" } } } } };
const role = { type: "string", readOnly: true };
const user = { type: "object", properties: { name: { type: "string" }, role } };

function post(operationId: string, schema: unknown, mediaType = "application/json") {
  return {
    post: {
      operationId,
      parameters: [{ name: "dry", in: "query", schema: { type: "boolean" } }],
      requestBody: { required: true, content: { [mediaType]: { schema } } },
      responses: ok,
    },
  };
}

async function serve() {
  const server = new McpServer({ name: "bodies", version: "1" });
  const document = {
    openapi: "3.1.0",
    info: { title: "t", version: "1" },
    components: { schemas: { Role: role } },
    paths: {
      "/users": post("createUser", user),
      "/closed": post("closed", { ...user, additionalProperties: false }),
      "/form": post("form", user, "application/x-www-form-urlencoded"),
      "/referenced": post("referenced", {
        type: "object",
        properties: { name: { type: "string" }, role: { $ref: "#/components/schemas/Role" } },
      }),
    },
  };
  await fromOpenAPI(server, document, { baseUrl: `${api.base}/api` });
  return handlerOf(server);
}

async function bodySent(tool: string, args: Record<string, unknown>) {
  const handler = await serve();
  const before = api.seen.length;
  const result = await callTool(handler, tool, args);
  expect(result.isError, tool).toBeUndefined();
  const sent = api.seen.slice(before);
  expect(sent.length).toBe(1);
  return { url: sent[0]?.url, body: sent[0]?.body };
}

describe("a merged body", () => {
  it("leaves readOnly properties out of the input schema", async () => {
    const tools = await listTools(await serve());
    expect(tools.find((t) => t.name === "createUser").inputSchema).toEqual({
      type: "object",
      properties: { dry: { type: "boolean" }, name: { type: "string" } },
    });
  });

  it("does not send a readOnly property a client gave", async () => {
    expect(await bodySent("createUser", { name: "eve", role: "admin", dry: true })).toEqual({
      url: "/api/users?dry=true",
      body: '{"name":"eve"}',
    });
    expect(await bodySent("referenced", { name: "eve", role: "admin" })).toEqual({
      url: "/api/referenced",
      body: '{"name":"eve"}',
    });
    expect(await bodySent("form", { name: "eve", role: "admin" })).toEqual({
      url: "/api/form",
      body: "name=eve",
    });
  });

  it("sends other arguments when its schema allows other properties, and only its own when not", async () => {
    expect((await bodySent("createUser", { name: "eve", note: "hi" })).body).toBe(
      '{"name":"eve","note":"hi"}',
    );
    expect((await bodySent("closed", { name: "eve", note: "hi", role: "admin" })).body).toBe(
      '{"name":"eve"}',
    );
  });
});

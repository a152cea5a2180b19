/**
 * `readOnly` properties below the top of a request body (inside an object property, in array
 * items, through a `$ref`, in `allOf` branches) are never sent, as the top-level ones are not: the
 * input schema leaves them out but allows other properties, so a client could still give them.
 * Before, the top-level ones were dropped and every nested one went to the API as given (an
 * `owner.id`, a `members[].role`), and a body held in one `body` argument (an `allOf` body)
 * sent even its top-level ones.
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
const id = { type: "integer", readOnly: true };

const schemas = {
  Owner: { type: "object", properties: { id, name: { type: "string" } } },
  Member: {
    type: "object",
    properties: { name: { type: "string" }, role: { type: "string", readOnly: true } },
  },
  /** Cyclic: a node's children are nodes. */
  Node: {
    type: "object",
    properties: {
      id,
      label: { type: "string" },
      children: { type: "array", items: { $ref: "#/components/schemas/Node" } },
    },
  },
};

function post(operationId: string, schema: unknown, mediaType = "application/json") {
  return {
    post: {
      operationId,
      requestBody: { required: true, content: { [mediaType]: { schema } } },
      responses: ok,
    },
  };
}

const team = {
  type: "object",
  properties: {
    name: { type: "string" },
    owner: { $ref: "#/components/schemas/Owner" },
    members: { type: "array", items: { $ref: "#/components/schemas/Member" } },
    settings: {
      type: "object",
      properties: { color: { type: "string" }, createdAt: { type: "string", readOnly: true } },
    },
    /** Other properties' values: owners. */
    labels: { type: "object", additionalProperties: { $ref: "#/components/schemas/Owner" } },
  },
};

const document = {
  openapi: "3.1.0",
  info: { title: "t", version: "1" },
  components: { schemas },
  paths: {
    "/teams": post("createTeam", team),
    "/tree": post("createTree", { $ref: "#/components/schemas/Node" }),
    "/all-of": post("allOf", { allOf: [{ $ref: "#/components/schemas/Owner" }, { required: ["name"] }] }),
    "/form": post("form", team, "application/x-www-form-urlencoded"),
  },
};

async function serve() {
  const server = new McpServer({ name: "nested", version: "1" });
  await fromOpenAPI(server, document, { baseUrl: `${api.base}/api` });
  return handlerOf(server);
}

async function bodySent(tool: string, args: Record<string, unknown>): Promise<string | undefined> {
  const handler = await serve();
  const before = api.seen.length;
  const result = await callTool(handler, tool, args);
  expect(result.isError, JSON.stringify(result)).toBeUndefined();
  const sent = api.seen.slice(before);
  expect(sent.length).toBe(1);
  return sent[0]?.body;
}

describe("nested readOnly properties of a request body", () => {
  it("are not in the input schema", async () => {
    const tools = await listTools(await serve());
    const input = tools.find((t) => t.name === "createTeam").inputSchema;
    expect(input.properties.owner.properties).toEqual({ name: { type: "string" } });
    expect(input.properties.members.items.properties).toEqual({ name: { type: "string" } });
  });

  it("are not sent when a client gives them: in object properties, array items, other properties, through $ref", async () => {
    const body = await bodySent("createTeam", {
      name: "core",
      owner: { id: 7, name: "ada" },
      members: [
        { name: "bob", role: "admin" },
        { name: "eve", role: "owner" },
      ],
      settings: { color: "red", createdAt: "2020-01-01" },
      labels: { lead: { id: 9, name: "cy" } },
    });
    expect(JSON.parse(body ?? "")).toEqual({
      name: "core",
      owner: { name: "ada" },
      members: [{ name: "bob" }, { name: "eve" }],
      settings: { color: "red" },
      labels: { lead: { name: "cy" } },
    });
  });

  it("are not sent at any depth of a cyclic schema", async () => {
    const body = await bodySent("createTree", {
      id: 1,
      label: "root",
      children: [{ id: 2, label: "a", children: [{ id: 3, label: "b", children: [] }] }],
    });
    expect(JSON.parse(body ?? "")).toEqual({
      label: "root",
      children: [{ label: "a", children: [{ label: "b", children: [] }] }],
    });
  });

  it("of a body in one argument (allOf) are not sent either, the top-level ones included", async () => {
    const body = await bodySent("allOf", { body: { id: 7, name: "ada" } });
    expect(JSON.parse(body ?? "")).toEqual({ name: "ada" });
  });

  it("are not sent in a form body", async () => {
    const body = await bodySent("form", { name: "core", owner: { id: 7, name: "ada" } });
    expect(new URLSearchParams(body).get("owner")).toBe('{"name":"ada"}');
  });

  it("leave other values as they are", async () => {
    const body = await bodySent("createTeam", { name: "core", members: [], settings: {}, note: { id: 1 } });
    expect(JSON.parse(body ?? "")).toEqual({ name: "core", members: [], settings: {}, note: { id: 1 } });
  });
});

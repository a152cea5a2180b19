/**
 * The conversion rules one by one, on small documents: OpenAPI 3.0 schema forms → 2020-12,
 * readOnly/writeOnly, parameter name clashes, when a body is merged, and how each parameter style
 * is sent.
 */
import { McpServer } from "@portico/core";
import { describe, expect, it } from "vitest";
import { fromOpenAPI, type OpenApiOptions } from "../src/index.ts";
import { callTool, handlerOf, listTools, request } from "./_mcp.ts";

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

async function convert(paths: Record<string, unknown>, options: OpenApiOptions = {}, version = "3.0.3") {
  const sent: Sent[] = [];
  const server = new McpServer({ name: "rules", version: "1.0.0" });
  const registration = await fromOpenAPI(
    server,
    { openapi: version, info: { title: "t", version: "1" }, servers: [{ url: "https://api.test" }], paths },
    {
      fetch: async (request) => {
        sent.push({
          method: request.method,
          url: request.url,
          headers: Object.fromEntries(request.headers),
          body: await request.text(),
        });
        return Response.json({ ok: true, secret: "s", visible: 1 });
      },
      ...options,
    },
  );
  const handler = handlerOf(server);
  // A server without tools has no tools/list.
  const tools = registration.tools.length > 0 ? await listTools(handler) : [];
  return { registration, handler, sent, tool: (name: string) => tools.find((t) => t.name === name) };
}

const ok = { "200": { description: "ok" } };
const post = (schema: unknown, extra: Record<string, unknown> = {}) => ({
  post: {
    operationId: "op",
    requestBody: { content: { "application/json": { schema } } },
    responses: ok,
    ...extra,
  },
});

describe("OpenAPI 3.0 schemas become JSON Schema 2020-12", () => {
  it("nullable, boolean exclusive bounds, example; OpenAPI-only keywords dropped", async () => {
    const schema = {
      type: "object",
      discriminator: { propertyName: "kind" },
      xml: { name: "thing" },
      externalDocs: { url: "https://docs.test" },
      "x-internal": true,
      properties: {
        name: { type: "string", nullable: true, example: "Ann" },
        kind: { type: "string", enum: ["a", "b"], nullable: true },
        ref: { allOf: [{ type: "object" }], nullable: true, description: "either" },
        count: { type: "integer", minimum: 0, exclusiveMinimum: true, maximum: 9, exclusiveMaximum: false },
        old: { type: "string", deprecated: true },
      },
    };
    const { tool } = await convert({ "/things": post(schema) });
    expect(tool("op").inputSchema).toEqual({
      type: "object",
      properties: {
        name: { type: ["string", "null"], examples: ["Ann"] },
        kind: { type: ["string", "null"], enum: ["a", "b", null] },
        ref: { anyOf: [{ allOf: [{ type: "object" }] }, { type: "null" }], description: "either" },
        count: { type: "integer", exclusiveMinimum: 0, maximum: 9 },
        old: { type: "string", deprecated: true },
      },
    });
  });

  it("readOnly properties leave the input, writeOnly ones the output", async () => {
    const thing = {
      type: "object",
      required: ["id", "name", "password"],
      properties: {
        id: { type: "integer", readOnly: true },
        name: { type: "string" },
        password: { type: "string", writeOnly: true },
      },
    };
    const paths = {
      "/things": {
        post: {
          operationId: "op",
          requestBody: { required: true, content: { "application/json": { schema: thing } } },
          responses: { "201": { description: "made", content: { "application/json": { schema: thing } } } },
        },
      },
    };
    const { tool } = await convert(paths, { validateOutput: true });
    expect(tool("op").inputSchema).toEqual({
      type: "object",
      properties: { name: { type: "string" }, password: { type: "string", writeOnly: true } },
      required: ["name", "password"],
    });
    expect(tool("op").outputSchema).toEqual({
      type: "object",
      required: ["id", "name"],
      properties: { id: { type: "integer", readOnly: true }, name: { type: "string" } },
    });
  });

  it("OpenAPI 3.1 schemas are kept as they are (type lists, const, examples)", async () => {
    const schema = {
      type: "object",
      properties: { v: { type: ["integer", "null"], const: 3, examples: [3] }, w: { exclusiveMinimum: 1 } },
    };
    const { tool } = await convert({ "/things": post(schema) }, {}, "3.1.0");
    expect(tool("op").inputSchema.properties).toEqual(schema.properties);
  });
});

describe("input schemas", () => {
  const clash = {
    "/items/{id}": {
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
      put: {
        operationId: "op",
        parameters: [
          { name: "id", in: "query", schema: { type: "integer" } },
          { name: "id", in: "header", schema: { type: "string" } },
          { name: "Accept", in: "header", schema: { type: "string" } },
          { name: "Authorization", in: "header", schema: { type: "string" } },
        ],
        requestBody: {
          required: true,
          content: {
            "application/json": { schema: { type: "object", properties: { note: { type: "string" } } } },
          },
        },
        responses: ok,
      },
    },
  };

  it("a name used in two locations gets the location as suffix; Accept and Authorization parameters are ignored", async () => {
    const { tool, handler, sent } = await convert(clash);
    expect(tool("op").inputSchema).toEqual({
      type: "object",
      properties: {
        id: { type: "string" },
        id__query: { type: "integer" },
        id__header: { type: "string" },
        note: { type: "string" },
      },
      required: ["id"],
    });
    await callTool(handler, "op", { id: "p 1", id__query: 2, id__header: "h", note: "n" });
    expect(sent[0]).toMatchObject({
      method: "PUT",
      url: "https://api.test/items/p%201?id=2",
      body: '{"note":"n"}',
    });
    expect(sent[0]?.headers.id).toBe("h");
    expect(sent[0]?.headers["content-type"]).toBe("application/json");
  });

  it("a body property that clashes with a parameter, a composed body, a free-form object: one `body` argument", async () => {
    for (const schema of [
      { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
      { allOf: [{ type: "object", properties: { a: { type: "string" } } }] },
      { type: "object", additionalProperties: { type: "string" } },
    ]) {
      const paths = {
        "/items/{id}": {
          put: {
            operationId: "op",
            parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
            requestBody: { content: { "application/json": { schema } } },
            responses: ok,
          },
        },
      };
      const { tool, handler, sent } = await convert(paths);
      expect(tool("op").inputSchema).toEqual({
        type: "object",
        properties: { id: { type: "string" }, body: schema },
        required: ["id"],
      });
      await callTool(handler, "op", { id: "1", body: { id: "x" } });
      expect(sent[0]?.body).toBe('{"id":"x"}');
    }
  });

  it("an optional merged body is not sent when no body argument is given", async () => {
    const schema = { type: "object", properties: { a: { type: "string" } } };
    const { handler, sent } = await convert({ "/things": post(schema) });
    await callTool(handler, "op", {});
    await callTool(handler, "op", { a: "x" });
    expect(sent.map((s) => [s.body, s.headers["content-type"]])).toEqual([
      ["", undefined],
      ['{"a":"x"}', "application/json"],
    ]);
  });

  it("a path parameter the document forgot to declare is a required string", async () => {
    const { tool, handler, sent } = await convert({
      "/users/{userId}": { get: { operationId: "op", responses: ok } },
    });
    expect(tool("op").inputSchema).toEqual({
      type: "object",
      properties: { userId: { type: "string" } },
      required: ["userId"],
    });
    await callTool(handler, "op", { userId: "u/1" });
    expect(sent[0]?.url).toBe("https://api.test/users/u%2F1");
  });

  it("a path that cannot be a URI template is skipped as a template, fine as a tool", async () => {
    const paths = { "/odd}/{id}": { get: { operationId: "odd", responses: ok } } };
    const { registration } = await convert(paths, { routes: [{ as: "template" }] });
    expect(registration.templates).toEqual([]);
    expect(registration.skipped).toEqual([
      { operation: "GET /odd}/{id}", reason: expect.stringMatching(/^its URI template is not valid: /) },
    ]);
    expect((await convert(paths)).registration.tools).toEqual(["odd"]);
  });

  it("template variables: parameter names fitted to RFC 6570; a required header leaves the operation out", async () => {
    const paths = {
      "/pets/{pet-id}": {
        get: {
          operationId: "pet",
          parameters: [{ name: "pet-id", in: "path", required: true, schema: { type: "integer" } }],
          responses: ok,
        },
      },
      "/private": {
        get: {
          operationId: "private",
          parameters: [{ name: "X-Key", in: "header", required: true, schema: { type: "string" } }],
          responses: ok,
        },
      },
    };
    const { registration, handler, sent } = await convert(paths, { routes: [{ as: "template" }] });
    expect(registration.templates).toEqual(["https://api.test/pets/{pet_id}"]);
    expect(registration.skipped).toEqual([
      { operation: "GET /private", reason: "a resource cannot give its required header parameter X-Key" },
    ]);
    const read = await request(handler, "resources/read", { uri: "https://api.test/pets/7" });
    expect(read.result.contents[0]).toMatchObject({
      uri: "https://api.test/pets/7",
      mimeType: "application/json",
    });
    expect(sent[0]?.url).toBe("https://api.test/pets/7");
  });

  it("a request body of another media type is skipped, not fatal", async () => {
    const paths = {
      "/upload": {
        post: {
          operationId: "upload",
          requestBody: {
            content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
          },
          responses: ok,
        },
      },
      "/fine": { get: { operationId: "fine", responses: ok } },
    };
    const { registration } = await convert(paths);
    expect(registration.tools).toEqual(["fine"]);
    expect(registration.skipped).toEqual([
      {
        operation: "POST /upload",
        reason: "request body media type application/octet-stream is not supported (JSON and form only)",
      },
    ]);
  });
});

describe("parameter styles", () => {
  const param = (name: string, where: string, schema: unknown, extra: Record<string, unknown> = {}) => ({
    name,
    in: where,
    schema,
    ...extra,
  });
  const arr = { type: "array", items: { type: "string" } };
  const obj = { type: "object", properties: { a: { type: "integer" }, b: { type: "string" } } };

  it("query: form (exploded or not), space- and pipe-delimited, deepObject, JSON content", async () => {
    const paths = {
      "/q": {
        get: {
          operationId: "q",
          parameters: [
            param("multi", "query", arr),
            param("csv", "query", arr, { explode: false }),
            param("spaced", "query", arr, { style: "spaceDelimited", explode: false }),
            param("piped", "query", arr, { style: "pipeDelimited", explode: false }),
            param("filter", "query", obj, { style: "deepObject", explode: true }),
            param("flat", "query", obj),
            { name: "json", in: "query", content: { "application/json": { schema: obj } } },
          ],
          responses: ok,
        },
      },
    };
    const { handler, sent } = await convert(paths);
    const o = { a: 1, b: "x y" };
    await callTool(handler, "q", {
      multi: ["a", "b"],
      csv: ["a", "b,c"],
      spaced: ["a", "b"],
      piped: ["a", "b"],
      filter: o,
      flat: o,
      json: o,
    });
    expect(new URL(sent[0]?.url ?? "").search.slice(1).split("&")).toEqual([
      "multi=a",
      "multi=b",
      "csv=a,b%2Cc",
      "spaced=a%20b",
      "piped=a|b",
      "filter[a]=1",
      "filter[b]=x%20y",
      "a=1",
      "b=x%20y",
      `json=${encodeURIComponent('{"a":1,"b":"x y"}')}`,
    ]);
  });

  it("path: simple, label and matrix; cookies in one Cookie header; header lists", async () => {
    const paths = {
      "/p/{simple}/{label}/{matrix}": {
        get: {
          operationId: "p",
          parameters: [
            param("simple", "path", arr, { required: true }),
            param("label", "path", { type: "string" }, { required: true, style: "label" }),
            param("matrix", "path", arr, { required: true, style: "matrix", explode: true }),
            param("session", "cookie", { type: "string" }),
            param("theme", "cookie", { type: "string" }),
            param("X-Tags", "header", arr),
          ],
          responses: ok,
        },
      },
    };
    const { handler, sent } = await convert(paths);
    await callTool(handler, "p", {
      simple: ["a", "b/c"],
      label: "l",
      matrix: ["x", "y"],
      session: "s 1",
      theme: "dark",
      "X-Tags": ["t1", "t2"],
    });
    expect(sent[0]?.url).toBe("https://api.test/p/a,b%2Fc/.l/;matrix=x;matrix=y");
    expect(sent[0]?.headers.cookie).toBe("session=s%201; theme=dark");
    expect(sent[0]?.headers["x-tags"]).toBe("t1,t2");
  });

  it("a header value that HTTP cannot carry is an error result, not a crash", async () => {
    const paths = {
      "/h": {
        get: { operationId: "h", parameters: [param("X-Note", "header", { type: "string" })], responses: ok },
      },
    };
    const { handler, sent } = await convert(paths);
    const result = await callTool(handler, "h", { "X-Note": "a\nb" });
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toMatch(/^The arguments cannot be sent as an HTTP request \(GET \/h\): /);
    expect(sent).toEqual([]);
  });
});

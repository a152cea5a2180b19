/**
 * A resource template's variables are checked as the tool's arguments would be: against the
 * parameters' schemas (enum, maximum, type, pattern, required), after reading the URI's text as the
 * schema's type (`7` an integer, `true` a boolean). A read whose variables do not fit is answered
 * -32602 with the issues, and nothing is sent. Before, a template read passed any text on: a
 * `tools/call` refused `{ kind: "admin", limit: 100000 }`, while reading
 * `…/reports/admin?limit=100000` sent it to the API.
 */
import { McpServer } from "@portico/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromOpenAPI, GET_AS_RESOURCES } from "../src/index.ts";
import { handlerOf, request } from "./_mcp.ts";
import { type Recorder, startRecorder } from "./_recorder.ts";

let api: Recorder;
beforeAll(async () => {
  api = await startRecorder();
});
afterAll(() => api.close());

const ok = { "200": { description: "ok", content: { "application/json": { schema: { type: "object" } } } } };
const document = {
  openapi: "3.1.0",
  info: { title: "t", version: "1" },
  paths: {
    "/reports/{kind}": {
      get: {
        operationId: "report",
        parameters: [
          {
            name: "kind",
            in: "path",
            required: true,
            schema: { type: "string", enum: ["public", "summary"] },
          },
          { name: "limit", in: "query", required: true, schema: { type: "integer", maximum: 100 } },
          { name: "draft", in: "query", schema: { type: "boolean" } },
        ],
        responses: ok,
      },
    },
    "/codes/{code}": {
      get: {
        operationId: "code",
        parameters: [
          { name: "code", in: "path", required: true, schema: { type: "string", pattern: "^[a-z]{2}$" } },
          {
            name: "ids",
            in: "query",
            schema: { type: "array", items: { type: "integer", minimum: 1, maximum: 10 } },
          },
          { name: "ratio", in: "query", schema: { type: ["number", "null"], exclusiveMaximum: 1 } },
        ],
        responses: ok,
      },
    },
  },
};

async function serve() {
  const server = new McpServer({ name: "templates", version: "1" });
  const registration = await fromOpenAPI(server, document, {
    baseUrl: `${api.base}/api`,
    auth: { header: "x-api-key", value: "SECRET" },
    routes: GET_AS_RESOURCES,
  });
  return { registration, handler: handlerOf(server) };
}

async function read(uri: string) {
  const { handler } = await serve();
  const before = api.seen.length;
  const answer = await request(handler, "resources/read", { uri: `${api.base}/api${uri}` });
  return { answer, sent: api.seen.slice(before).map((s) => s.url) };
}

describe("a resource template's variables", () => {
  it("are templates of the operations", async () => {
    const { registration } = await serve();
    expect(registration.templates).toEqual([
      `${api.base}/api/reports/{kind}{?limit,draft}`,
      `${api.base}/api/codes/{code}{?ids*,ratio}`,
    ]);
  });

  it("that the tool's checks refuse are -32602 with the issues, and nothing is sent", async () => {
    const { answer, sent } = await read("/reports/admin?limit=100000");
    expect(answer.error?.code).toBe(-32602);
    expect(answer.error?.message).toMatch(
      /^Invalid params: .*\/kind: Expected one of.*; \/limit: Expected <= 100/,
    );
    expect(sent).toEqual([]);
  });

  it("are checked for type, pattern, items, and required query parameters", async () => {
    for (const uri of [
      "/reports/public?limit=ten",
      "/reports/public?limit=1.5",
      "/reports/public?limit=5&draft=maybe",
      "/reports/public",
      "/codes/abc",
      "/codes/ab?ids=1&ids=11",
      "/codes/ab?ids=x",
      "/codes/ab?ratio=1",
    ]) {
      const { answer, sent } = await read(uri);
      expect(answer.error?.code, uri).toBe(-32602);
      expect(answer.error?.message, uri).toMatch(/^Invalid params: /);
      expect(sent, uri).toEqual([]);
    }
  });

  it("that fit are read from the URI as the schema's types and sent", async () => {
    for (const [uri, url] of [
      ["/reports/public?limit=100", "/api/reports/public?limit=100"],
      ["/reports/summary?limit=-3&draft=true", "/api/reports/summary?limit=-3&draft=true"],
      ["/codes/ab?ids=1&ids=10&ratio=0.5", "/api/codes/ab?ids=1&ids=10&ratio=0.5"],
      ["/codes/zz", "/api/codes/zz"],
    ] as const) {
      const { answer, sent } = await read(uri);
      expect(answer.error, uri).toBeUndefined();
      expect(answer.result.contents[0].text, uri).toBe('{"ok":true}');
      expect(sent, uri).toEqual([url]);
    }
  });
});

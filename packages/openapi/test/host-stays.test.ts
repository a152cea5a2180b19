/**
 * A path argument cannot change the host a request goes to. A path key without its leading `/`
 * (OpenAPI requires one; some documents forget it) is glued to the base URL as it is, so with a
 * base URL without a path (`https://api.example.com`) the argument `.attacker.example` of
 * `{version}/items` made `https://api.example.com.attacker.example/items`, and the API key went
 * there. Such an operation is skipped at conversion, and a built URL whose origin is not the base
 * URL's is refused before anything is sent.
 */
import type { HandlerContext } from "@portico/core";
import { McpServer } from "@portico/core";
import { describe, expect, it, vi } from "vitest";
import { exchange, type Runtime } from "../src/http.ts";
import { fromOpenAPI, GET_AS_RESOURCES } from "../src/index.ts";
import type { Parameter } from "../src/operations.ts";
import type { CallPlan } from "../src/request.ts";
import { handlerOf, listTools } from "./_mcp.ts";

const ok = { "200": { description: "ok", content: { "application/json": { schema: { type: "object" } } } } };
const version = { name: "version", in: "path", required: true, schema: { type: "string" } };

describe("a path key without its leading /", () => {
  it("is skipped at conversion, with the reason, as a tool and as a template", async () => {
    const paths = {
      "{version}/items": { get: { operationId: "items", parameters: [version], responses: ok } },
      "/fine": { get: { operationId: "fine", responses: ok } },
    };
    const document = {
      openapi: "3.1.0",
      info: { title: "t", version: "1" },
      servers: [{ url: "https://api.example.com" }],
      paths,
    };
    const fetch = vi.fn(async () => Response.json({}));
    const reason = 'its path does not start with "/", so an argument could change the host it calls';
    const server = new McpServer({ name: "t", version: "1" });
    const asTools = await fromOpenAPI(server, document, { fetch, auth: { header: "x-api-key", value: "k" } });
    expect(asTools.tools).toEqual(["fine"]);
    expect(asTools.skipped).toEqual([{ operation: "GET {version}/items", reason }]);
    expect((await listTools(handlerOf(server))).map((t) => t.name)).toEqual(["fine"]);

    const asResources = await fromOpenAPI(new McpServer({ name: "r", version: "1" }), document, {
      fetch,
      routes: GET_AS_RESOURCES,
    });
    expect(asResources.templates).toEqual([]);
    expect(asResources.skipped).toEqual([{ operation: "GET {version}/items", reason }]);
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe("the built URL keeps the base URL's origin", () => {
  const param: Parameter = {
    name: "version",
    in: "path",
    required: true,
    description: undefined,
    deprecated: false,
    schema: { type: "string" },
    style: "simple",
    explode: false,
    json: false,
    example: undefined,
  };
  // What a call plan of such a path would be, if one got past conversion.
  const call: CallPlan = {
    method: "GET",
    base: "https://api.example.com",
    path: "{version}/items",
    args: { params: [{ arg: "version", param }], body: undefined },
    accept: undefined,
  };
  const ctx = {
    signal: new AbortController().signal,
    auth: undefined,
    logger: { warn: vi.fn() },
  } as unknown as HandlerContext;

  it("an argument that changes the host is an error, and nothing is sent", async () => {
    const fetch = vi.fn(async (_request: Request) => Response.json({}));
    const runtime: Runtime = {
      fetch,
      headers: undefined,
      auth: { header: "x-api-key", value: "SECRET" },
      timeoutMs: 5_000,
      maxResponseBytes: 1_000,
    };
    for (const value of [".attacker.example", "-x.attacker.example", ":1234"]) {
      const result = await exchange(runtime, call, { version: value }, ctx);
      expect(result, value).toEqual({
        ok: false,
        message: expect.stringMatching(
          /^The arguments cannot be sent as an HTTP request \(GET \{version\}\/items\): /,
        ),
      });
    }
    expect(result(await exchange(runtime, call, { version: ".attacker.example" }, ctx))).not.toMatch(
      /attacker/,
    );
    expect(fetch).not.toHaveBeenCalled();
    // The same origin is fine (a base URL with a path: the argument stays in it).
    await exchange(runtime, { ...call, base: "https://api.example.com/v" }, { version: "2" }, ctx);
    expect(fetch.mock.calls.map(([request]) => request.url)).toEqual(["https://api.example.com/v2/items"]);
  });
});

function result(exchanged: Awaited<ReturnType<typeof exchange>>): string {
  return exchanged.ok ? "" : exchanged.message;
}

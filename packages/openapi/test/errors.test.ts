/** Documents and options `fromOpenAPI` refuses, each with a clear `PorticoError`; the caller's document is never changed. */
import { McpServer, PorticoError } from "@portico/core";
import { describe, expect, it } from "vitest";
import { fromOpenAPI, type OpenApiOptions } from "../src/index.ts";
import { callTool, handlerOf } from "./_mcp.ts";
import { petstore } from "./_specs.ts";

const server = () => new McpServer({ name: "errors", version: "1.0.0" });

function minimal(extra: Record<string, unknown> = {}, schema: unknown = { type: "string" }) {
  return {
    openapi: "3.0.3",
    info: { title: "t", version: "1" },
    servers: [{ url: "https://api.test" }],
    paths: {
      "/things": {
        post: {
          operationId: "makeThing",
          requestBody: { content: { "application/json": { schema } } },
          responses: { "200": { description: "ok" } },
        },
      },
    },
    ...extra,
  };
}

async function refused(document: string | Record<string, unknown>, options: OpenApiOptions = {}) {
  try {
    await fromOpenAPI(server(), document, options);
  } catch (error) {
    expect(error).toBeInstanceOf(PorticoError);
    const { code, message } = error as PorticoError;
    return { code, message };
  }
  throw new Error("not refused");
}

describe("refused documents", () => {
  it("Swagger 2.0, as an object or as YAML text", async () => {
    const expected = {
      code: "unsupported_version",
      message: "Swagger 2.0 documents are not supported: convert the document to OpenAPI 3.0 or 3.1 first",
    };
    expect(await refused({ swagger: "2.0", info: {}, paths: {} })).toEqual(expected);
    expect(await refused('swagger: "2.0"\ninfo: {title: t, version: "1"}\npaths: {}\n')).toEqual(expected);
  });

  it("other versions, and objects that are no OpenAPI document", async () => {
    expect(await refused({ ...minimal(), openapi: "3.2.0" })).toEqual({
      code: "unsupported_version",
      message: 'OpenAPI "3.2.0" is not supported: 3.0.x and 3.1.x are',
    });
    expect((await refused({ info: {} })).message).toBe(
      "Not an OpenAPI document: it has no `openapi` version field",
    );
    expect((await refused("[1, 2]")).code).toBe("invalid_document");
  });

  it("text that is neither JSON nor YAML", async () => {
    expect(await refused('{"openapi": "3.0.0",')).toMatchObject({ code: "invalid_document" });
    expect((await refused('{"openapi": "3.0.0",')).message).toMatch(
      /^The OpenAPI document is not valid JSON: /,
    );
    expect((await refused("openapi: [3.0\n  - : :")).message).toMatch(
      /^The OpenAPI document is not valid YAML: /,
    );
  });

  it("an external $ref (file or URL): nothing is read", async () => {
    const file = minimal({}, { $ref: "./schemas/thing.yaml#/Thing" });
    expect(await refused(file)).toEqual({
      code: "external_ref",
      message:
        'The OpenAPI document has an external $ref "./schemas/thing.yaml#/Thing" at /paths/~1things/post/requestBody/content/application~1json/schema: only local references ("#/…") are supported; bundle the document into one file first',
    });
    const url = minimal({}, { $ref: "https://example.com/thing.json" });
    expect((await refused(url)).code).toBe("external_ref");
  });

  it("a local $ref that does not resolve", async () => {
    const { code, message } = await refused(minimal({}, { $ref: "#/components/schemas/Missing" }));
    expect(code).toBe("unresolved_ref");
    expect(message).toMatch(
      /^The OpenAPI document has a \$ref that does not resolve: .*#\/components\/schemas\/Missing/,
    );
  });

  it("a relative server URL (or none) without baseUrl", async () => {
    expect(await refused(minimal({ servers: [{ url: "/api/v3" }] }))).toEqual({
      code: "relative_server_url",
      message:
        'The OpenAPI document\'s server URL "/api/v3" is not absolute: give options.baseUrl, the absolute URL its paths are appended to (e.g. "https://api.example.com/api/v3")',
    });
    expect((await refused(minimal({ servers: undefined }))).code).toBe("relative_server_url");
    const ok = await fromOpenAPI(server(), minimal({ servers: [{ url: "/api/v3" }] }), {
      baseUrl: "https://api.test/api/v3/",
    });
    expect(ok.tools).toEqual(["makeThing"]);
  });

  it("bad options", async () => {
    expect(await refused(minimal(), { baseUrl: "api.test" })).toEqual({
      code: "invalid_base_url",
      message: 'options.baseUrl must be an absolute URL (https://api.example.com/v1), not "api.test"',
    });
    expect(await refused(minimal(), { timeoutMs: 0 })).toEqual({
      code: "invalid_options",
      message:
        "fromOpenAPI: timeoutMs must be a positive number of ms, at most 2147483647 (2^31−1, about 24.8 days), not 0",
    });
    expect((await refused(minimal(), { auth: { header: "x" } as never })).message).toBe(
      'fromOpenAPI: auth must be { header, value }, "forward" or a function of the request context',
    );
    expect((await refused(minimal(), { routes: {} as never })).code).toBe("invalid_options");
    expect((await refused(minimal(), { headers: { "bad name": "x" } })).message).toMatch(
      /^fromOpenAPI: headers has an invalid header: /,
    );
    expect((await refused(minimal(), { auth: { header: "x-key", value: "a\nb" } })).message).toMatch(
      /^fromOpenAPI: auth has an invalid header: /,
    );
  });
});

describe("documents it accepts", () => {
  it("server variables take their defaults; the operation's own servers win", async () => {
    const urls: string[] = [];
    const doc = minimal({
      servers: [
        {
          url: "https://{region}.api.test/{version}",
          variables: { region: { default: "eu" }, version: { default: "v2" } },
        },
      ],
    });
    (doc.paths as any)["/other"] = {
      servers: [{ url: "https://other.test" }],
      get: { operationId: "getOther", responses: { "204": { description: "none" } } },
    };
    const s = server();
    await fromOpenAPI(s, doc, {
      fetch: (request) => {
        urls.push(request.url);
        return new Response(null, { status: 204 });
      },
    });
    const handler = handlerOf(s);
    await callTool(handler, "makeThing", { body: "x" });
    await callTool(handler, "getOther", {});
    expect(urls).toEqual(["https://eu.api.test/v2/things", "https://other.test/other"]);
  });

  it("never changes the caller's document", async () => {
    const doc = petstore();
    const copy = structuredClone(doc);
    await fromOpenAPI(server(), doc, { validateOutput: true });
    expect(doc).toEqual(copy);
  });
});

/**
 * Object-typed path and query parameters, sent as OpenAPI 3.0/3.1 "Style Values" say (the
 * specification's own example: `color` = `{ R: 100, G: 200, B: 150 }`), from a tool call and from
 * a resource template read; styles that cannot carry a value are refused clearly.
 *
 * Before: a template variable of an object parameter always failed (-32602 "Expected object,
 * received string": the URI's text was never read as an object, and an exploded `form` object had
 * no variable at all), `label` and `matrix` path templates put the `.`/`;color=` prefix into the
 * value (sent as `..R,100…`), `spaceDelimited`/`pipeDelimited` objects were joined with commas,
 * nested values went out as JSON text, and a style OpenAPI does not define for the location (a
 * `matrix` query parameter) was silently sent as another one.
 */
import { McpServer } from "@portico/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromOpenAPI, GET_AS_RESOURCES, type OpenApiOptions } from "../src/index.ts";
import { callTool, handlerOf, request } from "./_mcp.ts";
import { type Recorder, startRecorder } from "./_recorder.ts";

let api: Recorder;
beforeAll(async () => {
  api = await startRecorder();
});
afterAll(() => api.close());

const ok = { "200": { description: "ok", content: { "application/json": { schema: { type: "object" } } } } };
const color = {
  type: "object",
  properties: { R: { type: "integer" }, G: { type: "integer" }, B: { type: "integer" } },
};
const COLOR = { R: 100, G: 200, B: 150 };

function get(operationId: string, parameter: Record<string, unknown>) {
  return {
    get: { operationId, parameters: [{ name: "color", required: true, ...parameter }], responses: ok },
  };
}

/** Path `/x/{color}` or query `/x`, each style and explode, and the URL the specification's table gives. */
const CASES = [
  ["simple", { in: "path", schema: color }, "/simple/R,100,G,200,B,150"],
  ["simple-x", { in: "path", explode: true, schema: color }, "/simple-x/R=100,G=200,B=150"],
  ["label", { in: "path", style: "label", schema: color }, "/label/.R,100,G,200,B,150"],
  ["label-x", { in: "path", style: "label", explode: true, schema: color }, "/label-x/.R=100.G=200.B=150"],
  ["matrix", { in: "path", style: "matrix", schema: color }, "/matrix/;color=R,100,G,200,B,150"],
  ["matrix-x", { in: "path", style: "matrix", explode: true, schema: color }, "/matrix-x/;R=100;G=200;B=150"],
  ["form", { in: "query", schema: color }, "/form?R=100&G=200&B=150"],
  ["form-n", { in: "query", explode: false, schema: color }, "/form-n?color=R,100,G,200,B,150"],
  [
    "deep",
    { in: "query", style: "deepObject", explode: true, schema: color },
    "/deep?color[R]=100&color[G]=200&color[B]=150",
  ],
  [
    "space",
    { in: "query", style: "spaceDelimited", schema: color },
    "/space?color=R%20100%20G%20200%20B%20150",
  ],
  ["pipe", { in: "query", style: "pipeDelimited", schema: color }, "/pipe?color=R|100|G|200|B|150"],
] as const;

function pathOf(name: string, where: string) {
  return where === "path" ? `/${name}/{color}` : `/${name}`;
}

const document = {
  openapi: "3.1.0",
  info: { title: "t", version: "1" },
  paths: {
    ...Object.fromEntries(CASES.map(([name, p]) => [pathOf(name, p.in), get(name, p)])),
    "/free": get("free", { in: "query", style: "deepObject", explode: true, schema: { type: "object" } }),
    "/free-form": get("freeForm", { in: "query", explode: false, schema: { type: "object" } }),
  },
};

async function serve(doc: object, options: OpenApiOptions = {}) {
  const server = new McpServer({ name: "objects", version: "1" });
  const registration = await fromOpenAPI(server, doc, { baseUrl: `${api.base}/api`, ...options });
  return { registration, handler: handlerOf(server) };
}

/** The URLs the API received while `run` ran. */
async function sent(run: () => Promise<unknown>): Promise<string[]> {
  const before = api.seen.length;
  await run();
  return api.seen.slice(before).map((s) => s.url);
}

describe("an object parameter of a tool", () => {
  it("is sent as the OpenAPI style table says, for every path and query style", async () => {
    const { handler } = await serve(document);
    for (const [name, , url] of CASES) {
      let result: Awaited<ReturnType<typeof callTool>> | undefined;
      const urls = await sent(async () => {
        result = await callTool(handler, name, { color: COLOR });
      });
      expect(result?.isError, name).toBeUndefined();
      expect(urls, name).toEqual([`/api${url}`]);
    }
  });

  it("with a nested object or list is an error result naming the parameter, and nothing is sent", async () => {
    const { handler } = await serve(document);
    for (const [tool, filter, where] of [
      ["free", { a: { b: 1 } }, "a"],
      ["free", { a: [1, 2] }, "a"],
      ["freeForm", { a: 1, b: { c: 2 } }, "b"],
    ] as const) {
      let result: Awaited<ReturnType<typeof callTool>> | undefined;
      const urls = await sent(async () => {
        result = await callTool(handler, tool, { color: filter });
      });
      expect(urls, tool).toEqual([]);
      expect(result?.isError, tool).toBe(true);
      expect(result?.content[0]?.text, tool).toMatch(
        new RegExp(
          `^The arguments cannot be sent as an HTTP request \\(GET /free(-form)?\\): the query parameter color holds a nested value at "${where}"`,
        ),
      );
    }
  });

  it("leaves a null member out, as a missing one", async () => {
    const { handler } = await serve(document);
    expect(await sent(() => callTool(handler, "free", { color: { a: null, b: 1 } }))).toEqual([
      "/api/free?color[b]=1",
    ]);
  });
});

describe("an object parameter of a resource template", () => {
  it("is a variable the URI carries as the API's URL does; an exploded matrix object or deepObject cannot be", async () => {
    const { registration } = await serve(document, { routes: GET_AS_RESOURCES });
    const b = `${api.base}/api`;
    expect(registration.templates).toEqual([
      `${b}/simple/{color}`,
      `${b}/simple-x/{color}`,
      `${b}/label/{.color}`,
      `${b}/label-x/{.color*}`,
      `${b}/matrix/{;color}`,
      `${b}/form{?R,G,B}`,
      `${b}/form-n{?color}`,
      `${b}/space{?color}`,
      `${b}/pipe{?color}`,
      `${b}/free-form{?color}`,
    ]);
    expect(registration.skipped).toEqual([
      {
        operation: "GET /matrix-x/{color}",
        reason: "a resource template cannot give the exploded matrix object path parameter color",
      },
      {
        operation: "GET /deep",
        reason: "a resource template cannot give the deepObject query parameter color",
      },
      {
        operation: "GET /free",
        reason: "a resource template cannot give the deepObject query parameter color",
      },
    ]);
  });

  it("is read from the URI as an object, its members as their types, and sent as the tool would send it", async () => {
    const { handler } = await serve(document, { routes: GET_AS_RESOURCES });
    for (const [name, , url] of CASES) {
      if (name === "matrix-x" || name === "deep") continue;
      let answer: Awaited<ReturnType<typeof request>> | undefined;
      const urls = await sent(async () => {
        answer = await request(handler, "resources/read", { uri: `${api.base}/api${url}` });
      });
      expect(answer?.error, name).toBeUndefined();
      expect(answer?.result.contents[0].text, name).toBe('{"ok":true}');
      expect(urls, name).toEqual([`/api${url}`]);
    }
  });

  it("that does not read as the object is -32602 with the issue, and nothing is sent", async () => {
    const { handler } = await serve(document, { routes: GET_AS_RESOURCES });
    for (const [url, issue] of [
      ["/simple/R,100,G", "/color: Expected object, received string"],
      ["/simple/R,red,G,200,B,150", "/color/R: Expected integer"],
      ["/form?R=1.5", "/color/R: Expected integer"],
      ["/form", "/color: Required property is missing"],
      ["/label-x/.R=100.G", "/color: Expected object"],
    ] as const) {
      let answer: Awaited<ReturnType<typeof request>> | undefined;
      const urls = await sent(async () => {
        answer = await request(handler, "resources/read", { uri: `${api.base}/api${url}` });
      });
      expect(urls, url).toEqual([]);
      expect(answer?.error?.code, url).toBe(-32602);
      expect(answer?.error?.message, url).toContain(issue);
    }
  });
});

describe("a style OpenAPI does not define for the parameter's location", () => {
  it("leaves the operation out, with the reason", async () => {
    const { registration } = await serve({
      openapi: "3.1.0",
      info: { title: "t", version: "1" },
      paths: {
        "/q": get("q", { in: "query", style: "matrix", schema: color }),
        "/p/{color}": get("p", { in: "path", style: "form", schema: color }),
        "/h": get("h", { in: "header", style: "deepObject", schema: color }),
        "/ok": get("ok", { in: "query", schema: color }),
      },
    });
    expect(registration.tools).toEqual(["ok"]);
    expect(registration.skipped).toEqual([
      {
        operation: "GET /q",
        reason:
          'its query parameter color has style "matrix", which is not one for query parameters (form, spaceDelimited, pipeDelimited, deepObject)',
      },
      {
        operation: "GET /p/{color}",
        reason:
          'its path parameter color has style "form", which is not one for path parameters (simple, label, matrix)',
      },
      {
        operation: "GET /h",
        reason:
          'its header parameter color has style "deepObject", which is not one for header parameters (simple)',
      },
    ]);
  });
});

/**
 * What tool arguments and the API's answers cannot do to the outgoing request: leave the operation's
 * path, or send the configured credentials to another origin (real HTTP servers on 127.0.0.1).
 */
import { McpServer } from "@portico/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromOpenAPI } from "../src/index.ts";
import { callTool, handlerOf } from "./_mcp.ts";
import { type Recorded, type Recorder, startRecorder } from "./_recorder.ts";

/** A server recording each request; `answer` picks the response (JSON `{ at: url }` by default). */
const recorder = (
  answer: (req: Recorded) => { status: number; headers?: Record<string, string> } | undefined,
) => startRecorder(answer, (entry) => ({ at: entry.url }));

let other: Recorder;
let api: Recorder;
beforeAll(async () => {
  other = await recorder(() => undefined);
  api = await recorder((req) => {
    const url = new URL(req.url, "http://x");
    // An open redirect, as many APIs have (`/redirect?to=…`), and a same-origin move.
    if (url.pathname === "/api/go")
      return { status: 302, headers: { location: url.searchParams.get("to") ?? "/" } };
    if (url.pathname === "/api/old") return { status: 307, headers: { location: "/api/new" } };
    return undefined;
  });
});
afterAll(async () => {
  await api.close();
  await other.close();
});

const ok = { "200": { description: "ok", content: { "application/json": { schema: { type: "object" } } } } };
const id = { name: "id", in: "path", required: true, schema: { type: "string" } };

async function serve() {
  const server = new McpServer({ name: "safety", version: "1.0.0" });
  const paths = {
    "/items/{id}": {
      get: { operationId: "getItem", parameters: [id], responses: ok },
      delete: { operationId: "deleteItem", parameters: [id], responses: ok },
    },
    "/labels/{id}": { get: { operationId: "label", parameters: [{ ...id, style: "label" }], responses: ok } },
    "/go": {
      get: {
        operationId: "go",
        parameters: [{ name: "to", in: "query", required: true, schema: { type: "string" } }],
        responses: ok,
      },
    },
    "/old": { post: { operationId: "old", responses: ok } },
  };
  await fromOpenAPI(
    server,
    { openapi: "3.0.3", info: { title: "t", version: "1" }, paths },
    {
      baseUrl: `${api.base}/api`,
      headers: { "x-tenant": "t1" },
      auth: { header: "x-api-key", value: "k-secret" },
    },
  );
  return handlerOf(server);
}

describe("the path stays the operation's", () => {
  // Defect: `..` and `.` are not changed by percent-encoding, and URL parsing resolves them (even
  // as %2E), so `GET /items/{id}` with id ".." became `GET /api/` (and "" became `/items/`, the
  // collection: a DELETE of "" reached `DELETE /api/items/`).
  it("a path argument that is a dot segment or empty is refused, not sent", async () => {
    const handler = await serve();
    const before = api.seen.length;
    for (const [tool, value] of [
      ["getItem", ".."],
      ["getItem", "."],
      ["deleteItem", ""],
      ["label", "."],
    ] as const) {
      const result = await callTool(handler, tool, { id: value });
      expect(result.isError, `${tool} ${JSON.stringify(value)}`).toBe(true);
      expect(result.content[0]?.text).toMatch(/^The arguments cannot be sent as an HTTP request/);
    }
    expect(api.seen.slice(before)).toEqual([]);
    // Dots inside a segment are ordinary characters.
    await callTool(handler, "getItem", { id: "a..b" });
    await callTool(handler, "getItem", { id: "../admin" });
    expect(api.seen.slice(before).map((s) => s.url)).toEqual(["/api/items/a..b", "/api/items/..%2Fadmin"]);
  });
});

describe("redirects", () => {
  // Defect: fetch followed a redirect to any origin with every configured header; only
  // `Authorization` (and cookies) are dropped by fetch itself, so an API key in `x-api-key` went to
  // whatever host an open redirect of the API named.
  it("a redirect to another origin is not followed: the credentials stay with the API", async () => {
    const handler = await serve();
    const to = `${other.base}/collect`;
    const result = await callTool(handler, "go", { to });
    expect(other.seen).toEqual([]);
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toBe("GET /go was redirected to another origin, not followed");
  });

  it("a redirect within the API's origin is followed with the method, body and credentials", async () => {
    const handler = await serve();
    const before = api.seen.length;
    const result = await callTool(handler, "old", {});
    expect(result.structuredContent).toEqual({ at: "/api/new" });
    const [first, second] = api.seen.slice(before);
    expect([first?.method, first?.url, second?.method, second?.url]).toEqual([
      "POST",
      "/api/old",
      "POST",
      "/api/new",
    ]);
    expect(second?.headers["x-api-key"]).toBe("k-secret");
  });
});

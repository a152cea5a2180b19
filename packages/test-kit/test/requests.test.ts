import { describe, expect, it } from "vitest";
import {
  decodeHeaderValue,
  encodeHeaderValue,
  initializeBody,
  initializedBody,
  jsonRpc,
  LEGACY_VERSIONS,
  legacyDelete,
  legacyGet,
  legacyPost,
  MODERN_VERSION,
  modernPost,
  notification,
  readJsonRpc,
} from "../src/requests.ts";

const URL_ = "http://127.0.0.1:1/mcp";

describe("constants and bodies", () => {
  it("lists the eras' revisions", () => {
    expect(LEGACY_VERSIONS).toEqual(["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"]);
    expect(MODERN_VERSION).toBe("2026-07-28");
  });

  it("builds JSON-RPC requests and notifications, omitting absent params", () => {
    expect(jsonRpc(1, "tools/list")).toStrictEqual({ jsonrpc: "2.0", id: 1, method: "tools/list" });
    expect(jsonRpc("a", "x", { k: 1 })).toStrictEqual({
      jsonrpc: "2.0",
      id: "a",
      method: "x",
      params: { k: 1 },
    });
    expect(notification("notifications/initialized")).toStrictEqual({
      jsonrpc: "2.0",
      method: "notifications/initialized",
    });
    expect(notification("n", { a: true })).toStrictEqual({
      jsonrpc: "2.0",
      method: "n",
      params: { a: true },
    });
    expect(initializedBody()).toStrictEqual({ jsonrpc: "2.0", method: "notifications/initialized" });
  });

  it("builds initialize bodies with defaults and overrides", () => {
    expect(initializeBody(0)).toStrictEqual({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "test-kit", version: "0" },
      },
    });
    const body = initializeBody("i", {
      protocolVersion: "2024-11-05",
      capabilities: { roots: {} },
      clientInfo: { name: "c", version: "1" },
    });
    expect(body.params).toStrictEqual({
      protocolVersion: "2024-11-05",
      capabilities: { roots: {} },
      clientInfo: { name: "c", version: "1" },
    });
  });
});

describe("legacy requests", () => {
  it("legacyPost sets content type, accept and JSON body", async () => {
    const request = legacyPost(URL_, initializeBody(1));
    expect(request.method).toBe("POST");
    expect(request.url).toBe(URL_);
    expect(request.headers.get("content-type")).toBe("application/json");
    expect(request.headers.get("accept")).toBe("application/json, text/event-stream");
    expect(request.headers.has("mcp-session-id")).toBe(false);
    expect(request.headers.has("mcp-protocol-version")).toBe(false);
    expect(await request.json()).toStrictEqual(initializeBody(1));
  });

  it("legacyPost adds session and version headers and applies overrides", async () => {
    const request = legacyPost(new URL(URL_), [jsonRpc(2, "ping")], {
      sessionId: "s-1",
      protocolVersion: "2025-06-18",
      headers: { Accept: "text/event-stream", "Content-Type": null, "X-Extra": "1" },
    });
    expect(request.headers.get("mcp-session-id")).toBe("s-1");
    expect(request.headers.get("mcp-protocol-version")).toBe("2025-06-18");
    expect(request.headers.get("accept")).toBe("text/event-stream");
    expect(request.headers.get("x-extra")).toBe("1");
    expect(await request.json()).toStrictEqual([{ jsonrpc: "2.0", id: 2, method: "ping" }]);
  });

  it("legacyPost sends a string body verbatim", async () => {
    expect(await legacyPost(URL_, "{not json").text()).toBe("{not json");
  });

  it("legacyGet and legacyDelete carry the session", () => {
    const get = legacyGet(URL_, { sessionId: "s", protocolVersion: "2025-11-25", lastEventId: "e-9" });
    expect(get.method).toBe("GET");
    expect(get.headers.get("accept")).toBe("text/event-stream");
    expect(get.headers.get("last-event-id")).toBe("e-9");
    expect(get.headers.get("mcp-session-id")).toBe("s");
    expect(legacyGet(URL_).headers.has("last-event-id")).toBe(false);
    const del = legacyDelete(URL_, { sessionId: "s" });
    expect(del.method).toBe("DELETE");
    expect(del.headers.get("mcp-session-id")).toBe("s");
  });
});

describe("modern requests", () => {
  it("puts the _meta envelope in params and mirrors method and version in headers", async () => {
    const request = modernPost(URL_, "tools/list", { cursor: "c" });
    expect(request.headers.get("mcp-protocol-version")).toBe("2026-07-28");
    expect(request.headers.get("mcp-method")).toBe("tools/list");
    expect(request.headers.has("mcp-name")).toBe(false);
    expect(request.headers.get("accept")).toBe("application/json, text/event-stream");
    expect(request.headers.get("content-type")).toBe("application/json");
    expect(await request.json()).toStrictEqual({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/list",
      params: {
        cursor: "c",
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientCapabilities": {},
          "io.modelcontextprotocol/clientInfo": { name: "test-kit", version: "0" },
        },
      },
    });
  });

  it("applies id, version, capabilities, client info and log level options", async () => {
    const request = modernPost(URL_, "server/discover", undefined, {
      id: "x",
      protocolVersion: "2099-01-01",
      clientCapabilities: { elicitation: {} },
      clientInfo: { name: "me", version: "2" },
      logLevel: "debug",
    });
    expect(request.headers.get("mcp-protocol-version")).toBe("2099-01-01");
    const body = await request.json();
    expect(body.id).toBe("x");
    expect(body.params._meta).toStrictEqual({
      "io.modelcontextprotocol/protocolVersion": "2099-01-01",
      "io.modelcontextprotocol/clientCapabilities": { elicitation: {} },
      "io.modelcontextprotocol/clientInfo": { name: "me", version: "2" },
      "io.modelcontextprotocol/logLevel": "debug",
    });
  });

  it("sets Mcp-Name for tools/call, prompts/get and resources/read", () => {
    expect(modernPost(URL_, "tools/call", { name: "add", arguments: {} }).headers.get("mcp-name")).toBe(
      "add",
    );
    expect(modernPost(URL_, "prompts/get", { name: "greet" }).headers.get("mcp-name")).toBe("greet");
    expect(modernPost(URL_, "resources/read", { uri: "test://a b" }).headers.get("mcp-name")).toBe(
      "test://a b",
    );
    expect(modernPost(URL_, "tools/call", {}).headers.has("mcp-name")).toBe(false);
    expect(modernPost(URL_, "resources/list", { name: "x" }).headers.has("mcp-name")).toBe(false);
  });

  it("base64-encodes names that are not plain printable ASCII", () => {
    const request = modernPost(URL_, "tools/call", { name: "日本語ツール" });
    expect(request.headers.get("mcp-name")).toBe("=?base64?5pel5pys6Kqe44OE44O844Or?=");
  });

  it("lets params._meta win over defaults, undefined removing a key", async () => {
    const request = modernPost(URL_, "tools/list", {
      _meta: { progressToken: 5, "io.modelcontextprotocol/clientCapabilities": undefined },
    });
    const body = await request.json();
    expect(body.params._meta).toStrictEqual({
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
      "io.modelcontextprotocol/clientInfo": { name: "test-kit", version: "0" },
      progressToken: 5,
    });
  });

  it("builds notifications without an id and honours header overrides", async () => {
    const request = modernPost(
      URL_,
      "notifications/cancelled",
      { requestId: 3 },
      {
        notification: true,
        headers: { "Mcp-Method": "other", "MCP-Protocol-Version": null },
      },
    );
    const body = await request.json();
    expect(body).not.toHaveProperty("id");
    expect(body.method).toBe("notifications/cancelled");
    expect(request.headers.get("mcp-method")).toBe("other");
    expect(request.headers.has("mcp-protocol-version")).toBe(false);
  });
});

describe("header value encoding", () => {
  it.each([
    ["add", "add"],
    ["", ""],
    ["tool with spaces ~!", "tool with spaces ~!"],
    ["日本語ツール", "=?base64?5pel5pys6Kqe44OE44O844Or?="],
    ["café", "=?base64?Y2Fmw6k=?="],
    [" padded", "=?base64?IHBhZGRlZA==?="],
    ["padded ", `=?base64?${btoa("padded ")}?=`],
    ["line\nbreak", "=?base64?bGluZQpicmVhaw==?="],
    ["tab\there", `=?base64?${btoa("tab\there")}?=`],
    ["del\x7f", `=?base64?${btoa("del\x7f")}?=`],
    ["=?base64?literal?=", "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?="],
  ])("encodes %j as %j and decodes it back", (value, encoded) => {
    expect(encodeHeaderValue(value)).toBe(encoded);
    expect(decodeHeaderValue(encoded)).toBe(value);
  });

  it("produces values the Headers class accepts", () => {
    const headers = new Headers();
    headers.set("Mcp-Name", encodeHeaderValue("x\r\nInjected: yes"));
    expect(headers.has("injected")).toBe(false);
    expect(decodeHeaderValue(headers.get("mcp-name")!)).toBe("x\r\nInjected: yes");
  });

  it("rejects a sentinel whose payload is not UTF-8", () => {
    expect(() => decodeHeaderValue(`=?base64?${btoa("\xff")}?=`)).toThrow();
  });
});

describe("readJsonRpc", () => {
  const json = (body: unknown, type = "application/json") =>
    new Response(JSON.stringify(body), { headers: { "content-type": type } });
  const sse = (text: string) => new Response(text, { headers: { "content-type": "text/event-stream" } });

  it("reads one JSON object or a batch", async () => {
    expect(await readJsonRpc(json({ jsonrpc: "2.0", id: 1, result: {} }))).toEqual([
      { jsonrpc: "2.0", id: 1, result: {} },
    ]);
    const batch = [
      { jsonrpc: "2.0", id: 1, result: {} },
      { jsonrpc: "2.0", id: 2, error: { code: -32601, message: "nope" } },
    ];
    expect(await readJsonRpc(json(batch, "application/json; charset=utf-8"))).toEqual(batch);
  });

  it("reads SSE messages, skipping events with empty data", async () => {
    const response = sse(
      'id: p\ndata:\n\n: keep-alive\n\ndata: {"jsonrpc":"2.0","method":"notifications/progress","params":{}}\n\n' +
        'id: 2\ndata: {"jsonrpc":"2.0","id":1,"result":{"ok":true}}\n\n',
    );
    const messages = await readJsonRpc(response);
    expect(messages).toEqual([
      { jsonrpc: "2.0", method: "notifications/progress", params: {} },
      { jsonrpc: "2.0", id: 1, result: { ok: true } },
    ]);
    expect(messages[1]?.result.ok).toBe(true);
  });

  it("stops an SSE body at the message `until` accepts", async () => {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
      cancel() {
        cancelled = true;
      },
    });
    controller.enqueue(new TextEncoder().encode('data: {"jsonrpc":"2.0","id":7,"result":{}}\n\n'));
    const response = new Response(body, { headers: { "content-type": "text/event-stream" } });
    const messages = await readJsonRpc(response, { until: (m) => m.id === 7 });
    expect(messages).toEqual([{ jsonrpc: "2.0", id: 7, result: {} }]);
    expect(cancelled).toBe(true);
  });

  it("returns [] for an empty (202) body", async () => {
    expect(await readJsonRpc(new Response(null, { status: 202 }))).toEqual([]);
    expect(
      await readJsonRpc(new Response("", { status: 202, headers: { "content-type": "text/plain" } })),
    ).toEqual([]);
  });

  it("throws a descriptive error for other content types and for non-JSON data", async () => {
    await expect(
      readJsonRpc(new Response("Not Acceptable", { status: 406, headers: { "content-type": "text/plain" } })),
    ).rejects.toThrow(/text\/plain \(status 406\): Not Acceptable/);
    await expect(readJsonRpc(sse("data: {oops\n\n"))).rejects.toThrow(/SSE event data is not JSON: \{oops/);
    await expect(
      readJsonRpc(new Response("{bad", { headers: { "content-type": "application/json" } })),
    ).rejects.toThrow(/response body is not JSON/);
  });
});

import { isResponse, LightHeaders } from "@portico/host";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { addTool, createHandler, McpServer, readBufferedResponse, toRealResponse } from "../src/index.ts";

const URL_ = "http://127.0.0.1:3000/mcp";
const MODERN = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
  "mcp-protocol-version": "2026-07-28",
  "mcp-method": "tools/call",
  "mcp-name": "add",
};
const BODY = JSON.stringify({
  jsonrpc: "2.0",
  id: 7,
  method: "tools/call",
  params: {
    name: "add",
    arguments: { a: 2, b: 3 },
    _meta: {
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
      "io.modelcontextprotocol/clientCapabilities": {},
    },
  },
});

function handler() {
  const server = new McpServer({ name: "t", version: "1.0.0" });
  addTool(server, "add", { input: v.object({ a: v.number(), b: v.number() }) }, ({ a, b }) => String(a + b));
  return createHandler(server);
}

const call = (ctx?: { bufferedResponses?: boolean }) =>
  handler().fetch(new Request(URL_, { method: "POST", headers: MODERN, body: BODY }), undefined, ctx);

describe("buffered responses", () => {
  it("are handed to an adapter that opts in: status, headers and the whole text, once", async () => {
    const response = await call({ bufferedResponses: true });
    // Not a real Response (making one would load undici on Node), but answered as one.
    expect(response).not.toBeInstanceOf(Response);
    expect(isResponse(response)).toBe(true);
    expect(Object.prototype.toString.call(response)).toBe("[object Response]");
    const taken = readBufferedResponse(response);
    expect(taken?.status).toBe(200);
    expect(taken?.headers).toMatchObject({ "content-type": "application/json" });
    expect(JSON.parse(taken?.body ?? "")).toMatchObject({ id: 7, result: { content: [{ text: "5" }] } });
    // The body is consumed: a second reader gets nothing, and so does the Response API.
    expect(readBufferedResponse(response)).toBeUndefined();
    expect(response.bodyUsed).toBe(true);
    await expect(response.text()).rejects.toThrow(TypeError);
  });

  it("are real Responses for hosts that did not opt in", async () => {
    const response = await call();
    expect(readBufferedResponse(response)).toBeUndefined();
    expect(Object.getPrototypeOf(response)).toBe(Response.prototype);
    expect((await response.json()).result.content[0].text).toBe("5");
  });

  it("behave as a Response through every member", async () => {
    const response = await call({ bufferedResponses: true });
    expect(response.status).toBe(200);
    expect(response.ok).toBe(true);
    expect(response.type).toBe("default");
    expect(response.headers.get("content-type")).toBe("application/json");
    // A header changed through the Response API is what an adapter then writes.
    response.headers.set("x-extra", "1");
    const copy = response.clone();
    expect((await copy.json()).id).toBe(7);
    const reader = response.body?.getReader();
    const chunk = await reader?.read();
    expect(new TextDecoder().decode(chunk?.value)).toContain('"id":7');
    expect(response.bodyUsed).toBe(true);
    expect(readBufferedResponse(response)).toBeUndefined();
  });

  it("read as text or JSON without a stream, and keep header changes for the adapter", async () => {
    const a = await call({ bufferedResponses: true });
    expect((await a.json()).id).toBe(7);
    expect(a.bodyUsed).toBe(true);
    const b = await call({ bufferedResponses: true });
    b.headers.set("x-extra", "1");
    const taken = readBufferedResponse(b);
    expect(taken?.headers).toBeInstanceOf(LightHeaders);
    expect((taken?.headers as Headers | undefined)?.get("x-extra")).toBe("1");
  });

  it("become real on demand with toRealResponse", async () => {
    const real = toRealResponse(await call({ bufferedResponses: true }));
    expect(Object.getPrototypeOf(real)).toBe(Response.prototype);
    expect((await real.json()).id).toBe(7);
    const plain = new Response("x");
    expect(toRealResponse(plain)).toBe(plain);
  });

  it("show one set of headers before and after becoming real", async () => {
    const untouched = await call({ bufferedResponses: true });
    const real = toRealResponse(untouched);
    expect(real.headers.get("content-type")).toBe("application/json");
    expect(untouched.headers).toBe(real.headers);

    const touched = await call({ bufferedResponses: true });
    touched.headers.set("x-trace", "1");
    const realTouched = toRealResponse(touched);
    expect(realTouched.headers.get("x-trace")).toBe("1");
    realTouched.headers.set("x-later", "2");
    expect(touched.headers.get("x-later")).toBe("2");
  });
});

/**
 * Content negotiation of the MCP endpoint (RFC 9110 §12.5.1, §8.3): a POST must accept both
 * `application/json` and `text/event-stream`, a legacy GET stream `text/event-stream`, and a POST
 * body must be `application/json`. A media range weighted `q=0` means "not acceptable" (§12.4.2),
 * and the most specific range matching a type decides.
 */
import { describe, expect, it } from "vitest";
import { addTool, createHandler, McpServer } from "../src/index.ts";
import { initializeRequest } from "./_requests.ts";

const URL_ = "http://127.0.0.1/mcp";

function handler() {
  const server = new McpServer({ name: "n", version: "1" });
  addTool(server, "noop", {}, () => "ok");
  return createHandler(server, { keepAliveMs: 0 });
}

function listTools(accept: string | undefined, contentType = "application/json"): Request {
  const headers: Record<string, string> = {
    "content-type": contentType,
    "mcp-protocol-version": "2026-07-28",
    "mcp-method": "tools/list",
  };
  if (accept !== undefined) headers.accept = accept;
  const _meta = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
  };
  return new Request(URL_, {
    method: "POST",
    headers,
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta } }),
  });
}

describe("Accept on POST", () => {
  it.each([
    "application/json, text/event-stream",
    "text/event-stream, application/json",
    "*/*",
    "application/*, text/*",
    "Application/JSON, Text/Event-Stream",
    "application/json;q=0.9, text/event-stream;q=0.1",
    "application/json; q=1, text/event-stream ; q=0.001",
    "*/*;q=0.1, text/event-stream",
  ])("accepts %j", async (accept) => {
    const response = await handler().fetch(listTools(accept));
    expect(response.status).toBe(200);
  });

  it.each([
    undefined,
    "",
    "application/json",
    "text/event-stream",
    "text/html",
    "application/json, text/event-stream;q=0",
    "application/json;q=0, text/event-stream",
    "application/json, text/event-stream; Q=0.000",
    "*/*, text/event-stream;q=0",
    "text/*;q=0, application/json, */*",
    "application/json, text/event-stream, text/event-stream;q=0",
  ])("answers %j with 406 and a JSON-RPC error", async (accept) => {
    const response = await handler().fetch(listTools(accept));
    expect(response.status).toBe(406);
    const body = (await response.json()) as { error?: { code: number; message: string } };
    expect(body.error?.message).toMatch(/^Not Acceptable/);
  });
});

describe("Content-Type on POST", () => {
  it.each(["application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8"])(
    "accepts %j",
    async (type) => {
      expect((await handler().fetch(listTools("application/json, text/event-stream", type))).status).toBe(
        200,
      );
    },
  );

  it.each(["text/plain", "application/json-patch+json", "application/jsonx", ""])(
    "answers %j with 415",
    async (type) => {
      const response = await handler().fetch(listTools("application/json, text/event-stream", type));
      expect(response.status).toBe(415);
    },
  );
});

describe("Accept on a legacy GET stream", () => {
  async function session(h: ReturnType<typeof handler>): Promise<string> {
    const response = await h.fetch(initializeRequest(URL_));
    const id = response.headers.get("mcp-session-id");
    expect(id).toBeTruthy();
    return id as string;
  }

  function get(id: string, accept: string): Request {
    return new Request(URL_, {
      method: "GET",
      headers: { accept, "mcp-session-id": id, "mcp-protocol-version": "2025-11-25" },
    });
  }

  it.each(["text/event-stream;q=0", "*/*, text/event-stream;q=0", "application/json"])(
    "answers %j with 406",
    async (accept) => {
      const h = handler();
      const response = await h.fetch(get(await session(h), accept));
      expect(response.status).toBe(406);
    },
  );

  it("opens the stream for text/event-stream", async () => {
    const h = handler();
    const response = await h.fetch(get(await session(h), "text/event-stream;q=0.5"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    await response.body?.cancel();
  });
});

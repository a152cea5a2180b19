/**
 * An HTTP upstream that answers a call with a redirect: followed by hand within the upstream's
 * origin only (at most 5 times). A redirect to another origin would carry the configured headers
 * (an API key), the caller's forwarded credentials and the call's arguments to that host; it fails
 * the call as an unreachable upstream, the target origin in the operator's log only.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type Front, front, modern } from "./_front.ts";

type Json = Record<string, any>;

interface Listening {
  url: string;
  origin: string;
  seen: { url: string; headers: IncomingMessage["headers"]; body: Json | undefined }[];
  close(): Promise<void>;
}

/** A node:http server on 127.0.0.1 (port 0) that records each request and answers with `handle`. */
async function listen(handle: (req: IncomingMessage, res: ServerResponse, body: Json | undefined) => void) {
  const seen: Listening["seen"] = [];
  const server: Server = createServer(async (req, res) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    const body = text === "" ? undefined : (JSON.parse(text) as Json);
    seen.push({ url: req.url ?? "", headers: req.headers, body });
    handle(req, res, body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const listening: Listening = {
    url: `http://127.0.0.1:${port}/mcp`,
    origin: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return listening;
}

function answer(res: ServerResponse, id: unknown, result: Json): void {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ jsonrpc: "2.0", id, result: { resultType: "complete", ...result } }));
}

const TOOLS = ["elsewhere", "same", "loop"].map((name) => ({ name, inputSchema: { type: "object" } }));

describe("an upstream answering a call with a redirect", () => {
  let other: Listening;
  let upstream: Listening;
  let f: Front;
  /** How many times tool `loop` was redirected. */
  let loops = 0;

  beforeAll(async () => {
    other = await listen((_req, res, body) => {
      if (body?.method === "tools/call") {
        answer(res, body.id, { content: [{ type: "text", text: "answered by the other host" }] });
      } else {
        res.writeHead(404).end();
      }
    });
    upstream = await listen((req, res, body) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      if (body?.method === "server/discover") {
        return answer(res, body.id, { supportedVersions: ["2026-07-28"], capabilities: { tools: {} } });
      }
      if (body?.method === "tools/list") return answer(res, body.id, { tools: TOOLS });
      if (body?.method !== "tools/call") return res.writeHead(404).end();
      const name = body.params.name;
      if (name === "elsewhere") return res.writeHead(307, { location: `${other.url}?from=redirect` }).end();
      if (name === "same" && url.pathname === "/mcp") return res.writeHead(308, { location: "/moved" }).end();
      if (name === "loop") {
        loops++;
        return res.writeHead(307, { location: `/mcp?hop=${loops}` }).end();
      }
      answer(res, body.id, { content: [{ type: "text", text: `answered at ${url.pathname}` }] });
    });
    f = await front(upstream.url, {
      follow: false,
      headers: { "X-Api-Key": "UPSTREAM-SECRET" },
      auth: () => ({ "X-User-Token": "caller-token" }),
    });
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  afterAll(async () => {
    await f.proxied.close();
    await upstream.close();
    await other.close();
  });

  /** Captures the operator's log lines (the core's default logger writes JSON lines to console.warn). */
  function operatorLog(): string[] {
    const lines: string[] = [];
    vi.spyOn(console, "warn").mockImplementation((line: unknown) => void lines.push(String(line)));
    return lines;
  }

  it("does not follow a redirect to another origin: nothing reaches it, the call fails as unreachable", async () => {
    const lines = operatorLog();
    const reply = await modern(f.handler, "tools/call", { name: "elsewhere", arguments: { q: "private" } });
    // Nothing went to the other host: not the API key, the caller's token, nor the arguments.
    expect(other.seen).toEqual([]);
    expect(reply.result).toMatchObject({
      isError: true,
      content: [{ type: "text", text: "The upstream MCP server could not be reached" }],
    });
    expect(JSON.stringify(reply)).not.toContain(other.origin);
    // The operator is told why, with the origin it was sent to.
    const warning = lines.find((line) => line.includes("proxy: upstream tools/call failed"));
    expect(warning).toBeDefined();
    expect(warning).toContain(other.origin);
    expect(warning).toContain("unreachable");
  });

  it("follows a redirect within the upstream's origin, resending the request with its headers", async () => {
    const before = upstream.seen.length;
    const reply = await modern(f.handler, "tools/call", { name: "same", arguments: { q: "x" } });
    expect(reply.result).toMatchObject({ content: [{ type: "text", text: "answered at /moved" }] });
    const moved = upstream.seen.slice(before).find((s) => s.url === "/moved");
    expect(moved?.body?.params.arguments).toEqual({ q: "x" });
    expect(moved?.headers["x-api-key"]).toBe("UPSTREAM-SECRET");
    expect(moved?.headers["x-user-token"]).toBe("caller-token");
  });

  it("follows at most 5 redirects, then fails the call as unreachable", async () => {
    const lines = operatorLog();
    loops = 0;
    const reply = await modern(f.handler, "tools/call", { name: "loop", arguments: {} });
    // The first request and 5 redirects followed; the 6th redirect is not.
    expect(loops).toBe(6);
    expect(reply.result).toMatchObject({
      isError: true,
      content: [{ type: "text", text: "The upstream MCP server could not be reached" }],
    });
    expect(lines.some((line) => line.includes("redirected more than 5 times"))).toBe(true);
  });
});

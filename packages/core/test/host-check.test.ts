/**
 * The DNS-rebinding check as a deployed user meets it: hosts the platform routed by pass with no
 * configuration, a refused Host or Origin gets a 403 that names it and the option to set, the
 * server logs each refused value once (boundedly), and a multi-instance host without a `secret`
 * is told so once, when it first seals an MRTR `requestState`.
 */
import { describe, expect, it, vi } from "vitest";
import { addTool, createHandler, type ExecutionContextLike, McpServer } from "../src/index.ts";
import { modernRequest } from "./_client.ts";

function server() {
  const s = new McpServer({ name: "h", version: "1" });
  addTool(s, "t", {}, () => "x");
  return s;
}

/** A modern tools/list as it arrives with `host` (and `origin`, when given). */
function arriving(host: string, origin?: string): Request {
  const request = modernRequest("tools/list");
  const headers = new Headers(request.headers);
  headers.set("host", host);
  if (origin !== undefined) headers.set("origin", origin);
  return new Request(`http://${host}/mcp`, {
    method: "POST",
    headers,
    body: request.body,
    duplex: "half",
  } as RequestInit);
}

function logging() {
  const lines: string[] = [];
  return { lines, onError: (error: unknown, where: string) => void lines.push(`${where}: ${String(error)}`) };
}

describe("the Host check on a deployed host", () => {
  const deployed: ExecutionContextLike = { routedHosts: ["abc123.execute-api.us-east-1.amazonaws.com"] };

  it("accepts the hosts the platform routed by, with no configuration", async () => {
    const handler = createHandler(server());
    const ok = await handler.fetch(
      arriving("abc123.execute-api.us-east-1.amazonaws.com"),
      undefined,
      deployed,
    );
    expect(ok.status).toBe(200);
    // With its own origin too (a same-origin browser page), and with a port.
    const same = await handler.fetch(
      arriving(
        "abc123.execute-api.us-east-1.amazonaws.com:443",
        "https://abc123.execute-api.us-east-1.amazonaws.com:443",
      ),
      undefined,
      deployed,
    );
    expect(same.status).toBe(200);
  });

  it("refuses any other Host, naming it and the option, and logs each value once", async () => {
    const log = logging();
    const handler = createHandler(server(), { onError: log.onError });
    for (let i = 0; i < 3; i++) {
      const refused = await handler.fetch(arriving("evil.example.com:8080"), undefined, deployed);
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual({
        jsonrpc: "2.0",
        id: null,
        error: {
          code: -32600,
          message:
            'Forbidden: Host "evil.example.com:8080" is not allowed; add it to the allowedHosts option of createHandler',
        },
      });
    }
    expect(log.lines).toEqual([
      'host check: PorticoError: refused a request with Host "evil.example.com:8080": if it is yours, add it to the allowedHosts option of createHandler',
    ]);
  });

  it("refuses a rebinding request even when its Origin matches its Host", async () => {
    const handler = createHandler(server(), { onError: () => {} });
    const rebinding = await handler.fetch(arriving("evil.example.com:3000", "http://evil.example.com:3000"));
    expect(rebinding.status).toBe(403);
    expect((await rebinding.json()).error.message).toContain('Host "evil.example.com:3000"');
  });

  it("refuses a foreign Origin on an accepted host, naming it and allowedOrigins", async () => {
    const log = logging();
    const handler = createHandler(server(), { onError: log.onError });
    const refused = await handler.fetch(arriving("127.0.0.1:3000", "https://evil.example"));
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.message).toBe(
      'Forbidden: Origin "https://evil.example" is not allowed; add it to the allowedOrigins option of createHandler',
    );
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toContain("allowedOrigins");
  });

  it("logs at most 20 distinct refused values, and quotes at most 100 characters of one", async () => {
    const log = logging();
    const handler = createHandler(server(), { onError: log.onError });
    for (let i = 0; i < 50; i++) await handler.fetch(arriving(`scan${i}.example`));
    expect(log.lines).toHaveLength(20);
    const long = `${"a".repeat(300)}.example`;
    const body = await (await handler.fetch(arriving(long))).json();
    expect(body.error.message).toContain(`"${"a".repeat(100)}…"`);
    expect(body.error.message).not.toContain("a".repeat(101));
  });

  it("accepts configured hosts and still accepts localhost names", async () => {
    const handler = createHandler(server(), { allowedHosts: ["mcp.example.com"] });
    for (const host of [
      "mcp.example.com",
      "MCP.example.com:443",
      "localhost:3000",
      "127.0.0.1",
      "[::1]:8080",
    ]) {
      expect((await handler.fetch(arriving(host))).status, host).toBe(200);
    }
  });
});

describe("a multi-instance host without a secret", () => {
  /** A tool that asks for input: its first round seals a `requestState`. */
  function asking() {
    const s = server();
    addTool(s, "ask", {}, async (_a, ctx) => {
      const r = await ctx.elicit({
        message: "name?",
        requestedSchema: { type: "object", properties: { n: { type: "string" } } },
      });
      return `got ${JSON.stringify(r.content)}`;
    });
    return s;
  }
  const ask = () =>
    modernRequest("tools/call", { name: "ask", arguments: {} }, { capabilities: { elicitation: {} } });

  it("is told once, when the first requestState is sealed, with the fix", async () => {
    const log = logging();
    const handler = createHandler(asking(), { onError: log.onError });
    const host: ExecutionContextLike = { multiInstance: true };
    // Requests that seal nothing need no secret: nothing is said.
    for (let i = 0; i < 3; i++) await handler.fetch(arriving("127.0.0.1"), undefined, host);
    expect(log.lines).toEqual([]);
    for (let i = 0; i < 3; i++) {
      const answer = await (await handler.fetch(ask(), undefined, host)).json();
      expect(answer.result.resultType).toBe("input_required");
    }
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatch(
      /^configuration: .*no `secret` is configured.*requestState.*PORTICO_SECRET.*openssl rand -base64 32/,
    );
  });

  it("is told in one line by the default onError (no stack, the code at the end)", async () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const handler = createHandler(asking());
      await handler.fetch(arriving("127.0.0.1"), undefined, { multiInstance: true });
      expect(spy).not.toHaveBeenCalled();
      await handler.fetch(ask(), undefined, { multiInstance: true });
      expect(spy).toHaveBeenCalledTimes(1);
      expect(spy.mock.calls[0]).toHaveLength(1);
      const line = spy.mock.calls[0]?.[0] as string;
      expect(line).toMatch(/^\[portico\] configuration: no `secret` is configured .* \(no_secret\)$/);
      expect(line).not.toContain("\n");
    } finally {
      spy.mockRestore();
    }
  });

  it("is not told when a secret is set, or on a single-instance host", async () => {
    const log = logging();
    const withSecret = createHandler(asking(), { onError: log.onError, secret: "s".repeat(32) });
    await withSecret.fetch(ask(), undefined, { multiInstance: true });
    const single = createHandler(asking(), { onError: log.onError });
    await single.fetch(ask());
    await single.fetch(ask(), undefined, { multiInstance: false });
    expect(log.lines).toEqual([]);
  });
});

describe("secrets", () => {
  it("are refused at creation when empty or short, with a clear error", () => {
    for (const secret of ["", "a", "x".repeat(31), new Uint8Array(8)]) {
      expect(() => createHandler(server(), { secret })).toThrowError(/secret must be at least 32 bytes/);
    }
  });
});

describe("the Host value's port", () => {
  /** A request whose Host header is `host` exactly (its URL stays a valid one). */
  function withHost(host: string): Request {
    const request = arriving("127.0.0.1");
    const headers = new Headers(request.headers);
    headers.set("host", host);
    return new Request("http://127.0.0.1/mcp", {
      method: "POST",
      headers,
      body: request.body,
      duplex: "half",
    } as RequestInit);
  }

  it("is a port only when it is digits: anything else after the name is not that name", async () => {
    const handler = createHandler(server(), { allowedHosts: ["api.example.com"], onError: () => {} });
    const statuses: Record<string, number> = {};
    for (const host of [
      "localhost:3000",
      "[::1]:3000",
      "[::1]",
      "api.example.com:443",
      "[::1]evil.example",
      "[::1]:evil",
      "localhost:evil.example",
      "api.example.com:evil",
      "api.example.com:",
    ]) {
      statuses[host] = (await handler.fetch(withHost(host))).status;
    }
    expect(statuses).toStrictEqual({
      "localhost:3000": 200,
      "[::1]:3000": 200,
      "[::1]": 200,
      "api.example.com:443": 200,
      "[::1]evil.example": 403,
      "[::1]:evil": 403,
      "localhost:evil.example": 403,
      "api.example.com:evil": 403,
      "api.example.com:": 403,
    });
  });
});

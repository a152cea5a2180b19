/**
 * The web page the browser test serves: plain browser JavaScript, as a web app calling an MCP
 * server on another origin would have. It exposes `window.portico`, whose functions the test calls
 * through `page.evaluate`; every fetch is bounded by a timeout.
 */

/** What `window.portico` offers the test (arguments and results are JSON). */
export interface PageApi {
  /** Legacy era: `initialize` (reads `Mcp-Session-Id`), `notifications/initialized`, `tools/call`. */
  legacy(args: { url: string; token: string }): Promise<{
    initStatus: number;
    sessionId: string | null;
    protocolVersion: string | undefined;
    initializedStatus: number;
    callStatus: number;
    call: any;
  }>;
  /** Opens the session's GET stream and reads its priming event; the rest is read in the background. */
  openStream(args: { url: string; until: string }): Promise<{ status: number; contentType: string | null }>;
  /** The stream's text once it contains `until` (given to `openStream`). */
  streamed(): Promise<string>;
  /** Modern era: `tools/call` with `Mcp-Protocol-Version`, `Mcp-Method`, `Mcp-Name` and `Authorization`. */
  modern(args: { url: string; token: string }): Promise<{ status: number; body: any }>;
  /** A request without credentials: the 401's `WWW-Authenticate`, then the metadata it points at. */
  unauthorized(args: { url: string }): Promise<{
    status: number;
    wwwAuthenticate: string | null;
    metadataStatus: number;
    metadata: any;
  }>;
  /** A JSON POST (preflighted) or a `text/plain` one (no preflight): the outcome the page sees. */
  attempt(args: {
    url: string;
    simple: boolean;
  }): Promise<{ ok: true; status: number } | { ok: false; error: string; message: string }>;
}

const SCRIPT = String.raw`
"use strict";
const ACCEPT = "application/json, text/event-stream";
const LEGACY = "2025-11-25";
const MODERN = "2026-07-28";
const TIMEOUT_MS = 8000;

function post(url, body, headers) {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: ACCEPT, ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
}

const initialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: LEGACY, capabilities: {}, clientInfo: { name: "browser", version: "1" } },
};

let session = null;
let stream = null;

window.portico = {
  async legacy({ url, token }) {
    const auth = { authorization: "Bearer " + token };
    const init = await post(url, initialize, auth);
    const sessionId = init.headers.get("mcp-session-id");
    const initialized = await init.json();
    session = { ...auth, "mcp-session-id": sessionId, "mcp-protocol-version": LEGACY };
    const note = await post(url, { jsonrpc: "2.0", method: "notifications/initialized" }, session);
    const call = await post(
      url,
      { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "add", arguments: { a: 2, b: 3 } } },
      session,
    );
    return {
      initStatus: init.status,
      sessionId,
      protocolVersion: initialized.result && initialized.result.protocolVersion,
      initializedStatus: note.status,
      callStatus: call.status,
      call: await call.json(),
    };
  },

  async openStream({ url, until }) {
    const response = await fetch(url, {
      headers: { ...session, accept: "text/event-stream" },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (!response.ok) throw new Error("the GET stream answered " + response.status + ": " + (await response.text()));
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (!text.includes("\n\n")) {
      const { done, value } = await reader.read();
      if (done) throw new Error("the stream ended before its priming event: " + text);
      text += decoder.decode(value, { stream: true });
    }
    stream = (async () => {
      while (!text.includes(until)) {
        const { done, value } = await reader.read();
        if (done) throw new Error("the stream ended before " + until + ": " + text);
        text += decoder.decode(value, { stream: true });
      }
      await reader.cancel();
      return text;
    })();
    stream.catch(() => {});
    return { status: response.status, contentType: response.headers.get("content-type") };
  },

  streamed() {
    return stream;
  },

  async modern({ url, token }) {
    const response = await post(
      url,
      {
        jsonrpc: "2.0",
        id: 7,
        method: "tools/call",
        params: {
          name: "add",
          arguments: { a: 20, b: 22 },
          _meta: {
            "io.modelcontextprotocol/protocolVersion": MODERN,
            "io.modelcontextprotocol/clientCapabilities": {},
          },
        },
      },
      {
        authorization: "Bearer " + token,
        "mcp-protocol-version": MODERN,
        "mcp-method": "tools/call",
        "mcp-name": "add",
      },
    );
    return { status: response.status, body: await response.json() };
  },

  async unauthorized({ url }) {
    const response = await post(url, initialize, {});
    const wwwAuthenticate = response.headers.get("www-authenticate");
    const match = /resource_metadata="([^"]+)"/.exec(wwwAuthenticate || "");
    if (!match) throw new Error("no resource_metadata in " + wwwAuthenticate);
    const metadata = await fetch(match[1], {
      headers: { "mcp-protocol-version": LEGACY },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    return {
      status: response.status,
      wwwAuthenticate,
      metadataStatus: metadata.status,
      metadata: await metadata.json(),
    };
  },

  async attempt({ url, simple }) {
    try {
      const response = simple
        ? await fetch(url, {
            method: "POST",
            headers: { "content-type": "text/plain" },
            body: JSON.stringify(initialize),
            signal: AbortSignal.timeout(TIMEOUT_MS),
          })
        : await post(url, initialize, {});
      return { ok: true, status: response.status };
    } catch (error) {
      return { ok: false, error: error.name, message: error.message };
    }
  },
};
`;

/** The page, for any origin it is served as. */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Portico CORS test page</title></head>
<body>
<p>Calls an MCP server on another origin.</p>
<script>${SCRIPT}</script>
</body>
</html>
`;

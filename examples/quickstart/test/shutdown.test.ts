/**
 * The quickstart as `npm run quickstart` starts it (src/node.ts, a real process on a free port):
 * each request writes its JSON line on stdout; on SIGTERM its open GET stream ends with a retry hint
 * (the client resumes elsewhere) and the process exits cleanly.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { modernPost } from "@portico/test-kit";
import { afterAll, describe, expect, it } from "vitest";
import { expectAddLine } from "../test-support/request-line.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
let child: ChildProcess | undefined;
/** Everything the running quickstart wrote on stdout. */
let out = "";
afterAll(() => {
  child?.kill("SIGKILL");
});

function start(): Promise<string> {
  child = spawn(process.execPath, ["--conditions=@portico/source", "src/node.ts"], {
    cwd: ROOT,
    env: { ...process.env, PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 20_000);
    child?.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+\/mcp)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    child?.on("exit", (code) => reject(new Error(`exited early (${code}): ${out}`)));
  });
}

describe("the Node quickstart", () => {
  it("writes one JSON line per request, with the caller's X-Request-Id", { timeout: 40_000 }, async () => {
    const url = await start();
    const id = "quickstart-node-line-1";
    const call = modernPost(
      url,
      "tools/call",
      { name: "add", arguments: { a: 2, b: 3 } },
      { headers: { "x-request-id": id } },
    );
    const response = await fetch(call);
    expect(response.status).toBe(200);
    const line = await expectAddLine(() => out, id);
    expect(line.coldStart).toBe(true);
    const exited = new Promise<number | null>((resolve) => child?.on("exit", resolve));
    child?.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("on SIGTERM ends an open GET stream with a retry hint, then exits 0", { timeout: 40_000 }, async () => {
    const url = await start();
    const accept = "application/json, text/event-stream";
    const init = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } },
      }),
    });
    const sessionId = init.headers.get("mcp-session-id") as string;
    const stream = await fetch(url, {
      headers: { accept: "text/event-stream", "mcp-session-id": sessionId },
    });
    expect(stream.status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child?.on("exit", resolve));
    child?.kill("SIGTERM");
    const text = await stream.text();
    expect(text).toMatch(/retry: \d+/);
    expect(await exited).toBe(0);
  });
});

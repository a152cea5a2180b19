/**
 * `portico dev`'s request log shows fields any web page can set (a JSON-RPC body's `params.name`,
 * the `Mcp-Method`/`Mcp-Name` headers): control characters are escaped, so a request can neither
 * drive the developer's terminal (ANSI escapes) nor forge a log line (newlines), and what it names
 * is shortened.
 */
import { describe, expect, it } from "vitest";
import { withRequestLog } from "../src/dev/_request-log.ts";

/** The lines the log writes for one POST, answered 200 by a stub app. */
async function logged(body: string, headers: Record<string, string> = {}): Promise<string[]> {
  const lines: string[] = [];
  const app = withRequestLog({ fetch: async () => new Response("{}") }, (line) => lines.push(line));
  const length = String(Buffer.byteLength(body));
  await app.fetch(
    new Request("http://127.0.0.1/mcp", {
      method: "POST",
      headers: { ...headers, "content-length": length },
      body,
    }),
  );
  return lines;
}

// C0 (newline included), DEL, C1 (CSI as one byte).
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const HOSTILE = "x\u001b[2J\u001b[31mPWNED\u001b[0m\u009b1m\u007f\n20:00:00 POST tools/call add → 200 1 ms";

describe("the request log", () => {
  it("escapes control characters from a JSON-RPC body, on one line", async () => {
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: HOSTILE } });
    const lines = await logged(body);
    expect(lines).toHaveLength(1);
    const [line] = lines as [string];
    expect(line).not.toMatch(CONTROL);
    expect(line).toMatch(
      /^\d\d:\d\d:\d\d POST tools\/call x\\x1b\[2J\\x1b\[31mPWNED\\x1b\[0m\\x9b1m\\x7f\\x0a20:00:00 POST tools\/call add → 200 1 ms → 200 \d+ ms$/,
    );
  });

  it("escapes control characters from the Mcp-Method and Mcp-Name headers", async () => {
    const lines = await logged("{}", {
      "mcp-method": "tools/call\u001b[2J",
      "mcp-name": "add\u009b31m\u001b]0;title\u0007",
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(CONTROL);
    expect(lines[0]).toContain("POST tools/call\\x1b[2J add\\x9b31m\\x1b]0;title\\x07 → 200");
  });

  it("shortens a long name", async () => {
    const body = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "n".repeat(100_000) },
    });
    const [line] = (await logged(body)) as [string];
    expect(line.length).toBeLessThan(300);
    expect(line).toMatch(/^\d\d:\d\d:\d\d POST tools\/call n+… → 200 \d+ ms$/);
  });
});

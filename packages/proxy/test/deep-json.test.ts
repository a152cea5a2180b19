/**
 * JSON nested deeper than `JSON.stringify` can go, from an upstream: a definition like that is
 * skipped (registering it would make every client's `tools/list` fail), and a call result like that
 * is answered with -32603, not left hanging.
 */
import { describe, expect, it } from "vitest";
import { front, modern } from "./_front.ts";

/** `[[[…"x"…]]]` as JSON text, `depth` deep (built as text: `JSON.stringify` cannot). */
const deepText = (depth: number) => `${"[".repeat(depth)}"x"${"]".repeat(depth)}`;

/** A modern upstream with tools `fine`, `deep` (its `_meta` nested 6,000 deep) and `deep-result`. */
const upstream: typeof fetch = async (input, init) => {
  const body = JSON.parse(await new Request(input, init).text());
  const reply = (result: string) =>
    new Response(`{"jsonrpc":"2.0","id":${JSON.stringify(body.id)},"result":${result}}`, {
      headers: { "content-type": "application/json" },
    });
  const schema = '{"type":"object","properties":{}}';
  switch (body.method) {
    case "server/discover":
      return reply('{"supportedVersions":["2026-07-28"],"capabilities":{"tools":{}}}');
    case "tools/list":
      return reply(
        `{"resultType":"complete","tools":[{"name":"fine","inputSchema":${schema}},{"name":"deep","inputSchema":${schema},"_meta":{"x":${deepText(6_000)}}},{"name":"deep-result","inputSchema":${schema}}]}`,
      );
    case "tools/call":
      return reply(
        body.params.name === "deep-result"
          ? `{"resultType":"complete","content":[],"structuredContent":{"x":${deepText(6_000)}}}`
          : '{"resultType":"complete","content":[{"type":"text","text":"ok"}]}',
      );
    default:
      return reply('{"resultType":"complete"}');
  }
};

describe("an upstream's JSON nested too deep to write", () => {
  it("skips such a definition; the others are served, and tools/list still answers", async () => {
    const f = await front("http://up.test/mcp", { fetch: upstream });
    expect(f.proxied.tools).toEqual(["fine", "deep-result"]);
    expect(f.proxied.skipped).toEqual([
      expect.objectContaining({ kind: "tool", name: "deep", reason: expect.stringMatching(/JSON/) }),
    ]);
    const listed = (await modern(f.handler, "tools/list")) as { result: { tools: { name: string }[] } };
    expect(listed.result.tools.map((t) => t.name)).toEqual(["fine", "deep-result"]);
    await f.proxied.close();
  });

  it("answers a call whose result is nested too deep with -32603", async () => {
    const f = await front("http://up.test/mcp", { fetch: upstream });
    const answer = (await modern(f.handler, "tools/call", { name: "deep-result", arguments: {} })) as {
      error?: { code: number; message: string };
    };
    expect(answer.error?.code).toBe(-32603);
    const fine = (await modern(f.handler, "tools/call", { name: "fine", arguments: {} })) as {
      result: { content: unknown[] };
    };
    expect(fine.result.content).toEqual([{ type: "text", text: "ok" }]);
    await f.proxied.close();
  });
});

/** The README's example, as written: its module serves `add`, and the lines it writes are the README's. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { McpHandler } from "@portico/core";
import { afterAll, describe, expect, it, vi } from "vitest";
import { modernRequest } from "./_requests.ts";

const README = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8");
const example = /```ts\n([\s\S]*?)```/.exec(README)?.[1] ?? "";
// Inside the package, so its imports resolve as a user's would.
const dir = mkdtempSync(join(fileURLToPath(new URL(".", import.meta.url)), ".readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the README example", () => {
  it("logs the request line and the tool's line with the same ids", async () => {
    const file = join(dir, "server.ts");
    writeFileSync(file, example.replace('from "@portico/observe"', 'from "../../src/index.ts"'));
    const { default: handler } = (await import(file)) as { default: McpHandler };
    const written: string[] = [];
    const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const res = await handler.fetch(
        modernRequest("tools/call", { name: "add", arguments: { a: 2, b: 3 } }),
        undefined,
        { requestId: "req-readme" },
      );
      expect(await res.json()).toMatchObject({ result: { content: [{ text: "5" }] } });
      await new Promise((resolve) => setImmediate(resolve)); // the default sink writes once per turn
      const lines = written
        .join("")
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toStrictEqual([
        expect.objectContaining({ msg: "adding", a: 2, b: 3, service: "calc", hostRequestId: "req-readme" }),
        expect.objectContaining({
          msg: "mcp request",
          outcome: "ok",
          service: "calc",
          hostRequestId: "req-readme",
        }),
      ]);
    } finally {
      out.mockRestore();
    }
  });
});

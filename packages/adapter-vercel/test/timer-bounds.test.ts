/**
 * Durations no timer can wait. `setTimeout` given more than 2^31−1 ms (or Infinity, or NaN) fires
 * after 1 ms, so `maxDuration` (seconds, made into `ctx.deadline`, which a Portico handler arms as
 * the tool's signal) or a wait out of that range would turn "wait this long" into "give up at once".
 * Out-of-range values are refused when the option is given.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addTool, createHandler, McpServer } from "@portico/core";
import { modernPost } from "@portico/test-kit";
import { afterAll, describe, expect, it } from "vitest";
import { startVercelDev, vercelDevDefaults } from "../src/dev/index.ts";
import { handle } from "../src/index.ts";
import { toNodeHandler } from "../src/node/index.ts";

const MAX = 2_147_483_647;

/** `make()`'s result, or what it threw as `Name: message`. */
async function outcomeOf(make: () => Promise<string> | string): Promise<string> {
  try {
    return await make();
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

describe("maxDuration", () => {
  it("refuses a duration no timer can wait, instead of firing every tool's signal at once", async () => {
    const server = new McpServer({ name: "deadline", version: "1.0.0" });
    addTool(server, "pause", { description: "Waits 100 ms unless its signal fires" }, async (_args, ctx) => {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        ctx.signal.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        });
      });
      return ctx.signal.aborted ? `signal fired: ${(ctx.signal.reason as Error).name}` : "waited";
    });
    const mcp = createHandler(server, { secret: "vercel-timer-bounds-secret-0123456789abcdef" });
    try {
      const outcome = await outcomeOf(async () => {
        const { POST } = handle(mcp, { maxDuration: 3e9 });
        const response = await POST(
          modernPost("http://127.0.0.1/mcp", "tools/call", { name: "pause", arguments: {} }),
        );
        const body = (await response.json()) as { result?: { content?: { text?: string }[] } };
        return `accepted; the tool ${body.result?.content?.[0]?.text}`;
      });
      expect(outcome).toBe(
        "RangeError: maxDuration must be a finite number of seconds above 0 and at most 2147483.647 (2^31−1 ms, about 24.8 days), got 3000000000",
      );
    } finally {
      mcp.close();
    }
  });

  it("refuses Infinity, NaN, 0, negatives and strings, in both handlers; takes up to 2147483.647", () => {
    const app = { fetch: () => new Response("ok") };
    for (const bad of [2_147_484, Number.POSITIVE_INFINITY, Number.NaN, 0, -1, "60"]) {
      expect(() => handle(app, { maxDuration: bad as number }), String(bad)).toThrow(RangeError);
      expect(() => toNodeHandler(app, { maxDuration: bad as number }), String(bad)).toThrow(RangeError);
    }
    for (const good of [0.5, 60, 800, MAX / 1000]) {
      expect(() => handle(app, { maxDuration: good })).not.toThrow();
      expect(() => toNodeHandler(app, { maxDuration: good })).not.toThrow();
    }
  });
});

describe("startVercelDev timeoutMs", () => {
  const dir = mkdtempSync(join(tmpdir(), "portico-vercel-timer-"));
  /** A stand-in for the Vercel CLI that never says "Ready!". */
  const cli = join(dir, "never-ready.mjs");
  writeFileSync(cli, "setInterval(() => {}, 1000);\n");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses a wait no timer can keep, instead of giving up on the CLI at once", async () => {
    const outcome = await outcomeOf(async () => {
      const started = Date.now();
      const dev = await startVercelDev({ cwd: dir, cli, devStores: false, timeoutMs: 3e9 }).catch(
        (error: Error) => error,
      );
      if (dev instanceof RangeError) throw dev;
      if (dev instanceof Error) {
        return `accepted; gave up after ${Date.now() - started} ms: ${dev.message.split("\n")[0]}`;
      }
      await dev.stop();
      return "accepted; ready";
    });
    expect(outcome).toBe(
      "RangeError: startVercelDev: timeoutMs must be a finite number of ms from 1 to 2147483647 (about 24.8 days), got 3000000000",
    );
  });

  it("refuses Infinity, NaN, 0, negatives and strings before starting anything", async () => {
    for (const bad of [MAX + 1, Number.POSITIVE_INFINITY, Number.NaN, 0, -1, "60000"]) {
      await expect(
        startVercelDev({ cwd: dir, cli, devStores: false, timeoutMs: bad as number }),
        String(bad),
      ).rejects.toThrow(/^startVercelDev: timeoutMs must be a finite number of ms from 1 to 2147483647/);
    }
  });
});

describe("vercelDevDefaults idleMs", () => {
  it("refuses an idle time out of range wherever it runs, naming the bound", async () => {
    const outcome = await outcomeOf(() => {
      vercelDevDefaults({ env: {}, idleMs: 3e9 });
      return "accepted";
    });
    expect(outcome).toBe(
      "RangeError: vercelDevDefaults: idleMs must be a finite number of ms from 1 to 2147483647 (about 24.8 days), got 3000000000",
    );
    for (const bad of [Number.POSITIVE_INFINITY, Number.NaN, 0, -1, "60000"]) {
      expect(() => vercelDevDefaults({ env: {}, idleMs: bad as number }), String(bad)).toThrow(RangeError);
    }
    expect(vercelDevDefaults({ env: {}, idleMs: MAX })).toBeUndefined();
  });
});

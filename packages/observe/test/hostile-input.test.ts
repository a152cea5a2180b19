/**
 * What a client (or a tool logging what a client sent) can put into observability output, found by
 * a review of `@portico/observe` as an operator would: names it makes up never mint a metric series
 * (even when a middleware such as a rate limit answers them), task ids are no targets, a log
 * message is redacted and cut like any field, fields cannot replace a line's own keys, keys and
 * sizes are bounded, and a thrown value that cannot be made text still gets its request line.
 */
import { ToolError } from "@portico/core";
import { describe, expect, it } from "vitest";
import { type Metric, metricHook } from "../src/index.ts";
import type { RequestStart } from "../src/instrument.ts";
import { resultEnding } from "../src/outcome.ts";
import { modernRequest } from "./_requests.ts";
import { observedServer, requestLines } from "./_server.ts";

const call = (name: string, args: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  modernRequest("tools/call", { name, arguments: args }, headers);

describe("metric targets", () => {
  it("a made-up tool name a middleware answers (a rate limit's isError) earns no Target; a real tool does", async () => {
    const hooked: Metric[] = [];
    const { server, handler } = observedServer({ metrics: metricHook((m) => hooked.push(m)) });
    // A guard in front of every tool: answers with an error result, as @portico/guard's rateLimit does.
    server.use((c, next) =>
      c.method === "tools/call" && c.target !== "add"
        ? Promise.resolve({ content: [{ type: "text", text: "Too many requests" }], isError: true })
        : next(),
    );
    for (let i = 0; i < 20; i++) await handler.fetch(call(`made-up-${i}`));
    await handler.fetch(call("refuse")); // a real tool, refused by the guard: still a name the server has
    await handler.fetch(call("add", { a: 1, b: 2 }));
    const targets = new Set(hooked.filter((m) => m.name === "Requests").map((m) => m.dimensions.Target));
    expect(targets).toStrictEqual(new Set([undefined, "refuse", "add"]));
  });

  it("a task id (tasks/get) is no target", () => {
    const hooked: Metric[] = [];
    const hook = metricHook((m) => hooked.push(m));
    for (const method of ["tasks/get", "tasks/result", "tasks/cancel"]) {
      const start = {
        call: { method, target: `task-${method}`, definitions: { registry: () => new Map() } },
        fields: {},
        coldStart: false,
        trace: undefined,
        redact: (f: Record<string, unknown>) => f,
      };
      hook.request?.(start as unknown as RequestStart)?.end({
        ending: resultEnding({}),
        durationMs: 1,
        streamed: false,
        result: undefined,
      });
    }
    expect(hooked.filter((m) => m.name === "Requests").map((m) => m.dimensions.Target)).toStrictEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe("a tool's own lines", () => {
  it("redact and cut the message as they do fields", async () => {
    const { server, handler, lines } = observedServer();
    const { addTool } = await import("@portico/core");
    addTool(server, "say", {}, (_args, ctx) => {
      ctx.logger.info(`calling upstream with Authorization: Bearer MSG_SECRET_TOKEN ${"x".repeat(50_000)}`);
      return "ok";
    });
    await handler.fetch(call("say"));
    const line = lines.find((l) => typeof l.msg === "string" && l.msg.startsWith("calling upstream"));
    expect(line).toBeDefined();
    expect(JSON.stringify(line)).not.toContain("MSG_SECRET_TOKEN");
    expect(line?.msg).toContain("Bearer [redacted]");
    expect(String(line?.msg).length).toBeLessThanOrEqual(4200);
  });

  it("cannot replace the line's level, timestamp, message or correlation fields: those go under `fields`", async () => {
    const { server, handler, lines } = observedServer();
    const { addTool } = await import("@portico/core");
    addTool(server, "search", {}, (args, ctx) => {
      ctx.logger.info("search", args as Record<string, unknown>);
      return "ok";
    });
    const spoof = {
      level: "nope",
      timestamp: "2001-01-01T00:00:00.000Z",
      msg: "login ok for admin",
      hostRequestId: "someone-else",
      query: "cats",
    };
    await handler.fetch(call("search", spoof), undefined, { requestId: "host-1" });
    const line = lines.find((l) => l.fields !== undefined);
    expect(line).toMatchObject({ level: "info", msg: "search", hostRequestId: "host-1", query: "cats" });
    expect(line?.timestamp).not.toBe(spoof.timestamp);
    expect(line?.fields).toStrictEqual({
      level: "nope",
      timestamp: "2001-01-01T00:00:00.000Z",
      msg: "login ok for admin",
      hostRequestId: "someone-else",
    });
  });

  it("bound keys, arrays, objects and the whole line; a credential in a key is redacted", async () => {
    const { server, handler, lines } = observedServer();
    const { addTool } = await import("@portico/core");
    addTool(server, "dump", {}, (_args, ctx) => {
      ctx.logger.info("dump", {
        ["k".repeat(1_000_000)]: 1,
        "Authorization: Bearer KEY_SECRET_TOKEN": 2,
        wide: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`f${i}`, i])),
        items: Array.from({ length: 900 }, () => "y".repeat(4000)),
        after: "z".repeat(4000),
      });
      return "ok";
    });
    await handler.fetch(call("dump"));
    const line = lines.find((l) => l.msg === "dump");
    const text = JSON.stringify(line);
    expect(text.length).toBeLessThan(100_000);
    expect(text).not.toContain("KEY_SECRET_TOKEN");
    expect(Object.keys(line ?? {}).every((k) => k.length <= 300)).toBe(true);
    const items = line?.items as string[];
    expect(items.length).toBeLessThanOrEqual(101);
    expect(items.at(-1)).toMatch(/^\[\d+ more\]$|^\[cut\]$/);
    expect(line?.wide).toMatchObject({ "[more fields]": 400 });
    // Past the line's budget of text, what is left is cut.
    expect(items).toContain("[cut]");
    expect(line?.after).toBe("[cut]");
  });
});

describe("a thrown value that cannot be made text", () => {
  it("still gets its request line (outcome error) and the error goes to onError as thrown", async () => {
    const { server, handler, lines } = observedServer();
    server.use((c, next) => {
      if (c.target === "refuse") throw Object.create(null);
      return next();
    });
    const res = await handler.fetch(call("refuse"));
    expect(res.status).toBe(200);
    const [line] = requestLines(lines);
    expect(line).toMatchObject({ outcome: "error", target: "refuse" });
    expect(lines.some((l) => l.msg === "unhandled error")).toBe(true);
  });
});

// A guard answered before the real tool ran: ToolError is imported for the server's `refuse`.
void ToolError;

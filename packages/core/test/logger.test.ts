/**
 * `ctx.logger`: by default one JSON line per call through console, carrying the call's correlation
 * fields; a middleware may replace it (`call.logger`), and the handler then logs through that one.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { addTool, createHandler, type LogFields, type Logger, McpServer } from "../src/index.ts";
import { modernRequest } from "./_client.ts";

const modernCall = (name: string, id: number) => modernRequest("tools/call", { name, arguments: {} }, { id });

afterEach(() => vi.restoreAllMocks());

describe("ctx.logger", () => {
  it("writes JSON lines with the call's correlation fields, info and above", async () => {
    const out = vi.spyOn(console, "log").mockImplementation(() => {});
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    const server = new McpServer({ name: "t", version: "1" });
    addTool(server, "work", {}, (_args, ctx) => {
      ctx.logger.debug("not written");
      ctx.logger.child({ step: 1 }).info("working", { rows: 3 });
      ctx.logger.error("failed once", { error: new TypeError("boom") });
      return "ok";
    });
    const res = await createHandler(server).fetch(modernCall("work", 7), undefined, { requestId: "req-1" });
    expect(res.status).toBe(200);
    expect(out).toHaveBeenCalledTimes(1);
    const info = JSON.parse(out.mock.calls[0]?.[0] as string);
    expect(info).toMatchObject({
      level: "info",
      msg: "working",
      method: "tools/call",
      target: "work",
      jsonrpcId: 7,
      era: "modern",
      hostRequestId: "req-1",
      step: 1,
      rows: 3,
    });
    expect(Date.parse(info.timestamp)).not.toBeNaN();
    expect(info.time).toBeUndefined();
    const error = JSON.parse(err.mock.calls[0]?.[0] as string);
    expect(error).toMatchObject({
      level: "error",
      msg: "failed once",
      error: { name: "TypeError", message: "boom" },
    });
    expect(error.error.stack).toContain("TypeError: boom");
  });

  it("never throws into the handler: fields JSON cannot write, and values that cannot be looked at", async () => {
    const out = vi.spyOn(console, "log").mockImplementation(() => {});
    vi.spyOn(console, "error").mockImplementation(() => {});
    const trap = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error("trap (expected by the test)");
        },
      },
    );
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    const server = new McpServer({ name: "t", version: "1" });
    addTool(server, "work", {}, (_args, ctx) => {
      ctx.logger.info("big", { n: 10n });
      ctx.logger.info("loop", { cycle });
      ctx.logger.info("trap", { trap });
      return "logged";
    });
    const res = await createHandler(server).fetch(modernCall("work", 8));
    const body = (await res.json()) as { result?: { content?: { text?: string }[]; isError?: boolean } };
    expect(body.result?.isError).toBeUndefined();
    expect(body.result?.content?.[0]?.text).toBe("logged");
    // Each line is still written, with its message and correlation fields.
    const lines = out.mock.calls.map((c) => JSON.parse(c[0] as string) as Record<string, unknown>);
    expect(lines.map((l) => l.msg)).toStrictEqual(["big", "loop", "trap"]);
    for (const line of lines)
      expect(line).toMatchObject({ level: "info", method: "tools/call", target: "work" });
  });

  it("is the logger a middleware sets", async () => {
    const lines: LogFields[] = [];
    const recording = (base: LogFields): Logger => ({
      debug: (msg, f) => lines.push({ level: "debug", msg, ...base, ...f }),
      info: (msg, f) => lines.push({ level: "info", msg, ...base, ...f }),
      warn: (msg, f) => lines.push({ level: "warn", msg, ...base, ...f }),
      error: (msg, f) => lines.push({ level: "error", msg, ...base, ...f }),
      child: (f) => recording({ ...base, ...f }),
    });
    const server = new McpServer({ name: "t", version: "1" });
    server.use(async (call, next) => {
      call.logger = recording({ tenant: "a", target: call.target });
      return next();
    });
    addTool(server, "work", {}, (_args, ctx) => {
      ctx.logger.debug("detail");
      return "ok";
    });
    await createHandler(server).fetch(modernCall("work", 1));
    expect(lines).toStrictEqual([{ level: "debug", msg: "detail", tenant: "a", target: "work" }]);
  });
});

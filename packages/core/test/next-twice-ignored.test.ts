/**
 * Middleware that calls `next()` a second time and drops the promise: the misuse must not crash
 * the process (an unhandled rejection). The request keeps its first result, the misuse goes to
 * `onError`, and a middleware that does await the second call still sees the error.
 */
import { describe, expect, it } from "vitest";
import { addTool, createHandler, ErrorCode, McpServer, type Middleware, PorticoError } from "../src/index.ts";
import { pastInitialize } from "./_client.ts";
import { answerOnce, unhandledRejections } from "./_unhandled.ts";

const unhandled = unhandledRejections();

async function ask(middleware: Middleware, era: "modern" | "legacy", method: string, params = {}) {
  const s = new McpServer({ name: "t", version: "1" });
  addTool(s, "ok", {}, () => "fine");
  s.use(pastInitialize(middleware));
  const reports: { error: unknown; where: string }[] = [];
  const handler = createHandler(s, { onError: (error, where) => reports.push({ error, where }) });
  return { answer: await answerOnce(handler, era, method, params), reports };
}

const twice = (reports: { error: unknown }[]) =>
  reports.filter((r) => r.error instanceof PorticoError && r.error.code === "next_twice").length;

describe.each(["modern", "legacy"] as const)("next() called a second time (%s era)", (era) => {
  it.each([
    ["tools/call", { name: "ok", arguments: {} }],
    ["tools/list", {}],
  ] as const)("and ignored: %s keeps its first result, the misuse is reported", async (method, params) => {
    const { answer, reports } = await ask(
      async (_call, next) => {
        const result = await next();
        next();
        return result;
      },
      era,
      method,
      params,
    );
    expect(answer.final.result).toBeDefined();
    if (method === "tools/call") expect(answer.final.result.content[0].text).toBe("fine");
    expect(twice(reports)).toBe(1);
    expect(unhandled).toEqual([]);
  });

  it("and awaited: the middleware sees the error (the call fails -32603)", async () => {
    let seen: unknown;
    const { answer } = await ask(
      async (_call, next) => {
        await next();
        try {
          return await next();
        } catch (error) {
          seen = error;
          throw error;
        }
      },
      era,
      "tools/list",
    );
    expect(seen).toBeInstanceOf(PorticoError);
    expect((seen as PorticoError).code).toBe("next_twice");
    expect(answer.final.error.code).toBe(ErrorCode.InternalError);
    expect(unhandled).toEqual([]);
  });
});

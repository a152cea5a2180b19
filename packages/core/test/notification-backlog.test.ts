/**
 * A tool that sends notifications faster than its client reads them (progress or logs in a loop,
 * not awaited): what waits for the client is bounded. A newer progress notification takes the
 * place of a waiting one with the same token, so the client still gets the latest; logs beyond
 * MAX_WAITING_NOTIFICATIONS waiting are dropped and the operator is told how many.
 */
import { describe, expect, it } from "vitest";
import { MAX_WAITING_NOTIFICATIONS } from "../src/http/exchange.ts";
import { addTool, createHandler, type HandlerContext, McpServer, PorticoError } from "../src/index.ts";
import { type Answer, legacySession, modern } from "./_client.ts";
import { unhandledRejections } from "./_unhandled.ts";

const PROGRESS = 20_000;
const LOGS = 3_000;

function flooding() {
  const s = new McpServer({ name: "flood", version: "1" });
  addTool(s, "flood", {}, (_args, ctx: HandlerContext) => {
    for (let i = 1; i <= PROGRESS; i++) void ctx.progress(i, PROGRESS);
    for (let i = 1; i <= LOGS; i++) void ctx.log("info", `line ${i}`);
    return "done";
  });
  // A tool that awaits each notification gets every one of them.
  addTool(s, "steady", {}, async (_args, ctx: HandlerContext) => {
    for (let i = 1; i <= 50; i++) await ctx.progress(i, 50);
    for (let i = 1; i <= 1_500; i++) await ctx.log("info", `line ${i}`);
    return "done";
  });
  const reported: unknown[] = [];
  const handler = createHandler(s, { onError: (e) => void reported.push(e) });
  return { handler, reported };
}

const byMethod = (answer: Answer, method: string) => answer.messages.filter((m) => m.method === method);

const unhandled = unhandledRejections();

describe("notifications waiting for a slow client", () => {
  const params = (name: string) => ({ name, arguments: {}, _meta: { progressToken: "t" } });

  for (const era of ["modern", "legacy"] as const) {
    const call = async (handler: ReturnType<typeof flooding>["handler"], name: string): Promise<Answer> => {
      if (era === "modern") {
        return modern(handler, "tools/call", {
          ...params(name),
          _meta: { progressToken: "t", "io.modelcontextprotocol/logLevel": "info" },
        });
      }
      const session = await legacySession(handler);
      await session.call("logging/setLevel", { level: "info" });
      return session.call("tools/call", params(name));
    };

    it(`${era}: the latest progress, at most ${MAX_WAITING_NOTIFICATIONS} waiting logs, the rest dropped and reported`, async () => {
      const { handler, reported } = flooding();
      const answer = await call(handler, "flood");
      expect(answer.final.result.content[0].text).toBe("done");
      const progress = byMethod(answer, "notifications/progress");
      expect(progress.length).toBeLessThanOrEqual(2);
      expect(progress.at(-1)?.params.progress).toBe(PROGRESS);
      const logs = byMethod(answer, "notifications/message");
      expect(logs.length).toBeGreaterThan(MAX_WAITING_NOTIFICATIONS - 5);
      expect(logs.length).toBeLessThanOrEqual(MAX_WAITING_NOTIFICATIONS);
      // The first lines are kept, in order; the dropped ones are the latest.
      expect(logs.slice(0, 3).map((m) => m.params.data)).toStrictEqual(["line 1", "line 2", "line 3"]);
      const dropped = reported.filter((e) => e instanceof PorticoError && e.code === "notifications_dropped");
      expect(dropped).toHaveLength(1);
      expect((dropped[0] as Error).message).toContain(`${LOGS - logs.length} notification(s) were dropped`);
      expect(unhandled).toStrictEqual([]);
    });

    it(`${era}: a tool that awaits each notification loses none`, async () => {
      const { handler, reported } = flooding();
      const answer = await call(handler, "steady");
      expect(answer.final.result.content[0].text).toBe("done");
      expect(byMethod(answer, "notifications/progress").map((m) => m.params.progress)).toStrictEqual(
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
      expect(byMethod(answer, "notifications/message")).toHaveLength(1_500);
      expect(reported).toStrictEqual([]);
    });
  }
});

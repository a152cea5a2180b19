/**
 * A host deadline farther away than a timer can wait (2^31−1 ms, about 24.8 days: a stand-in
 * context, a very long dev timeout) must not abort the handler at once: a timer armed for it
 * would fire after 1 ms. Nothing is armed for it; a near deadline still aborts.
 */
import { describe, expect, it } from "vitest";
import { addTool, createHandler, McpServer } from "../src/index.ts";
import { modernRequest, read } from "./_client.ts";

const DAY = 86_400_000;

function handler() {
  const server = new McpServer({ name: "d", version: "1" });
  addTool(
    server,
    "wait",
    { description: "waits 50 ms, says whether its signal fired" },
    async (_args, ctx) => {
      const signal = ctx.signal; // observed from the start (an unobserved signal arms nothing)
      await new Promise((resolve) => setTimeout(resolve, 50));
      return signal.aborted ? `aborted: ${String((signal.reason as Error)?.name)}` : "ran to the end";
    },
  );
  return createHandler(server, { deadlineMarginMs: 0 });
}

async function call(deadline: number): Promise<string> {
  const answer = await read(
    await handler().fetch(modernRequest("tools/call", { name: "wait", arguments: {} }), undefined, {
      deadline,
    }),
  );
  return JSON.stringify(answer.final.result?.content?.[0]?.text ?? answer.final);
}

describe("a host deadline beyond a timer's range", () => {
  it.each([30 * DAY, 25 * DAY])("%d ms away does not abort the call", async (ahead) => {
    expect(await call(Date.now() + ahead)).toBe(JSON.stringify("ran to the end"));
  });

  it("a deadline 20 ms away still aborts it", async () => {
    expect(await call(Date.now() + 20)).toBe(JSON.stringify("aborted: TimeoutError"));
  });
});

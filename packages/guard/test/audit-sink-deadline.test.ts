/**
 * An audit sink that never settles (a remote audit service that stopped answering) does not hold
 * the answer forever: the record is waited for up to the handler's `storeTimeoutMs`, then the call
 * is answered and the timeout goes to `onError`.
 */
import { describe, expect, it } from "vitest";
import { audit } from "../src/index.ts";
import { callTool, testServer } from "./_server.ts";

/** `callTool`, or "no answer" after 3 s. */
async function within3s<T>(work: Promise<T>): Promise<T | "no answer"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"no answer">((resolve) => {
    timer = setTimeout(() => resolve("no answer"), 3_000);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe("an audit sink that never settles", () => {
  it("the answer comes after the store deadline; onError is told the sink timed out", async () => {
    const reported: { error: unknown; where: string }[] = [];
    let records = 0;
    const { handler, runs } = testServer({
      use: [
        audit({
          sink: () => {
            records++;
            return new Promise<void>(() => {});
          },
        }),
      ],
      handler: { storeTimeoutMs: 100, onError: (error, where) => void reported.push({ error, where }) },
    });
    const answer = await within3s(callTool(handler, "pay", { amount: 1 }));
    expect(answer).not.toBe("no answer");
    expect(answer).toMatchObject({ result: { structuredContent: { run: 1 } } });
    expect(runs.pay).toHaveLength(1);
    expect(records).toBe(1);
    expect(reported).toHaveLength(1);
    expect(reported[0]?.where).toBe("audit sink");
    expect(String((reported[0]?.error as Error | undefined)?.message)).toMatch(
      /audit sink did not settle within 100 ms/,
    );
  });

  it("a sink that settles in time is waited for before the answer, and nothing is reported", async () => {
    const reported: unknown[] = [];
    const order: string[] = [];
    const { handler } = testServer({
      use: [
        audit({
          sink: async () => {
            await new Promise((resolve) => setTimeout(resolve, 20));
            order.push("recorded");
          },
        }),
      ],
      handler: { storeTimeoutMs: 1_000, onError: (error) => void reported.push(error) },
    });
    await callTool(handler, "pay", { amount: 1 });
    order.push("answered");
    expect(order).toStrictEqual(["recorded", "answered"]);
    expect(reported).toStrictEqual([]);
  });

  it("a sink that rejects is reported, and the call is answered", async () => {
    const reported: { error: unknown; where: string }[] = [];
    const { handler } = testServer({
      use: [
        audit({
          sink: async () => {
            throw new Error("audit backend down");
          },
        }),
      ],
      handler: { onError: (error, where) => void reported.push({ error, where }) },
    });
    expect(await callTool(handler, "pay", { amount: 1 })).toMatchObject({
      result: { structuredContent: { run: 1 } },
    });
    expect(reported.map((r) => [r.where, (r.error as Error).message])).toStrictEqual([
      ["audit sink", "audit backend down"],
    ]);
  });
});

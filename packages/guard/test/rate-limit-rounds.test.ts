/**
 * What a rate limit counts: a call that asks (2026-07-28, retried with its sealed state) counts once;
 * a call refused by one rule does not spend what others share.
 */
import { describe, expect, it } from "vitest";
import { RATE_LIMIT_META, RATE_LIMITED, rateLimit, requireApproval } from "../src/index.ts";
import { callTool, modern, testServer } from "./_server.ts";

const ELICIT = { elicitation: {} };

describe("what rateLimit counts", () => {
  // Defect: the retry that carries the approval was counted as a second call, so a tool limited to
  // 1 call per hour that needs approval could never run (the retry was always rate limited), and in
  // general only half the advertised limit was usable (the 2025 era, asking over the stream, counts once).
  it("counts a call once across its rounds: the retry with the sealed requestState is not taken again", async () => {
    const { handler, runs } = testServer({
      use: [rateLimit({ limit: 1, window: "hour" })],
      payUse: [requireApproval()],
    });
    const asked = await callTool(handler, "pay", { amount: 3 }, {}, {}, ELICIT);
    expect(asked.result.resultType).toBe("input_required");
    const [key] = Object.keys(asked.result.inputRequests);
    const approval = {
      requestState: asked.result.requestState,
      inputResponses: { [key as string]: { action: "accept" } },
    };
    const approved = await callTool(handler, "pay", { amount: 3 }, {}, approval, ELICIT);
    expect(approved.result.structuredContent).toEqual({ run: 1, era: "modern" });
    expect(runs.pay).toHaveLength(1);
    // The limit still holds for the next call, and a forged or replayed state does not dodge it.
    const next = await callTool(handler, "pay", { amount: 3 }, {}, {}, ELICIT);
    expect(next.result._meta[RATE_LIMIT_META]).toMatchObject({ limit: 1, remaining: 0 });
    const replayed = await callTool(handler, "pay", { amount: 3 }, {}, approval, ELICIT);
    expect(replayed.error).toMatchObject({ code: -32602 });
    const forged = await callTool(handler, "pay", { amount: 3 }, {}, { requestState: "x.y" }, ELICIT);
    expect(forged.error).toMatchObject({ code: -32602 });
    // Answers without a state are ignored by the core: such a call is a fresh one, and counted.
    const unsolicited = await callTool(
      handler,
      "pay",
      { amount: 3 },
      {},
      { inputResponses: { [key as string]: { action: "accept" } } },
      ELICIT,
    );
    expect(unsolicited.result._meta[RATE_LIMIT_META]).toMatchObject({ limit: 1 });
    expect(runs.pay).toHaveLength(1);
  });

  // Only the retries of a call the limit itself counted skip it: with the approval asked ahead of
  // the limit, the first round never reached it, so its retry is counted — asking is no way around it.
  it("a retry whose first round never reached the limit is counted (an approval placed ahead of it)", async () => {
    const { handler, runs } = testServer({
      payUse: [requireApproval(), rateLimit({ limit: 1, window: "hour" })],
    });
    const approve = async (amount: number) => {
      const asked = await callTool(handler, "pay", { amount }, {}, {}, ELICIT);
      expect(asked.result.resultType).toBe("input_required");
      const [key] = Object.keys(asked.result.inputRequests);
      const answers = { [key as string]: { action: "accept" } };
      return callTool(
        handler,
        "pay",
        { amount },
        {},
        { requestState: asked.result.requestState, inputResponses: answers },
        ELICIT,
      );
    };
    expect((await approve(1)).result.structuredContent).toEqual({ run: 1, era: "modern" });
    const second = await approve(2);
    expect(second.result.isError).toBe(true);
    expect(second.result._meta[RATE_LIMIT_META]).toMatchObject({ limit: 1, remaining: 0 });
    expect(runs.pay).toHaveLength(1);
  });

  // Defect: rules were taken in the order given, so with a shared rule first, every call a caller's
  // own limit refused still spent a token of the bucket everyone shares: one caller over its limit
  // could lock every other caller out.
  it("a call refused by its caller's own limit does not spend the limit everyone shares", async () => {
    const { handler } = testServer({
      use: [
        rateLimit([
          { limit: 3, window: "hour", by: "everyone", bucket: "shared" },
          { limit: 1, window: "hour" },
        ]),
      ],
    });
    expect((await callTool(handler, "pay", {}, { subject: "mallory" })).result.isError).toBeUndefined();
    for (let i = 0; i < 5; i += 1) {
      const refused = await callTool(handler, "pay", {}, { subject: "mallory" });
      expect(refused.result._meta[RATE_LIMIT_META].limit).toBe(1);
    }
    expect((await callTool(handler, "pay", {}, { subject: "alice" })).result.isError).toBeUndefined();
    expect((await callTool(handler, "pay", {}, { subject: "bob" })).result.isError).toBeUndefined();
    expect(
      (await callTool(handler, "pay", {}, { subject: "carol" })).result._meta[RATE_LIMIT_META].limit,
    ).toBe(3);
  });

  it("a requestState on a method without input rounds does not skip the count", async () => {
    const { handler } = testServer({
      use: [rateLimit({ limit: 1, window: "hour", methods: ["resources/list"] })],
    });
    expect((await modern(handler, "resources/list", { requestState: "x.y" })).result?.resources).toHaveLength(
      1,
    );
    const second = await modern(handler, "resources/list", { requestState: "x.y" });
    expect(second.error?.code).toBe(RATE_LIMITED);
  });
});

/** `idempotent` outside `requireApproval` (the documented order), in 2026-07-28 round trips. */
import { describe, expect, it } from "vitest";
import { IDEMPOTENCY_KEY_META, IDEMPOTENCY_META, idempotent, requireApproval } from "../src/index.ts";
import { callTool, testServer } from "./_server.ts";

const ELICIT = { elicitation: {} };
const withKey = { _meta: { [IDEMPOTENCY_KEY_META]: "order-7" } };

describe("idempotent with requireApproval", () => {
  // Defect: with `cacheErrors`, the approval's refusal ("declined", nothing was done) was kept as the
  // key's result: the user could not approve the same call later — every retry replayed the decline
  // for the whole ttl. A guard's refusal is not the tool's outcome; the key must stay free.
  it("cacheErrors does not keep a declined approval: asked again, the call can still be approved", async () => {
    const { handler, runs } = testServer({
      payUse: [idempotent({ cacheErrors: true }), requireApproval()],
    });
    const answer = async (action: string) => {
      const asked = await callTool(handler, "pay", { amount: 7 }, {}, withKey, ELICIT);
      expect(asked.result.resultType).toBe("input_required");
      const [key] = Object.keys(asked.result.inputRequests);
      return callTool(
        handler,
        "pay",
        { amount: 7 },
        {},
        {
          ...withKey,
          requestState: asked.result.requestState,
          inputResponses: { [key as string]: { action } },
        },
        ELICIT,
      );
    };
    const declined = await answer("decline");
    expect(declined.result._meta["portico/approval"]).toBe("declined");
    const approved = await answer("accept");
    expect(approved.result.structuredContent).toEqual({ run: 1, era: "modern" });
    expect(runs.pay).toHaveLength(1);
    // The approved result is the key's now: a duplicate replays it without asking.
    const duplicate = await callTool(handler, "pay", { amount: 7 }, {}, withKey, ELICIT);
    expect(duplicate.result._meta[IDEMPOTENCY_META]).toEqual({ key: "order-7", replayed: true });
    expect(runs.pay).toHaveLength(1);
  });
});

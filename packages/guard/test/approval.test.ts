import { describe, expect, it } from "vitest";
import { requireApproval } from "../src/index.ts";
import { callTool, testServer } from "./_server.ts";

const ELICIT = { elicitation: {} };

/** The first input request of an `input_required` answer: its key and request. */
function firstAsk(result: Record<string, any>): [string, Record<string, any>] {
  expect(result.resultType).toBe("input_required");
  const entry = Object.entries(result.inputRequests as Record<string, any>)[0];
  if (entry === undefined) throw new Error("no input request");
  return entry;
}

describe("requireApproval (2026-07-28: an input_required round trip)", () => {
  it("asks with the tool and its arguments; runs only on accept", async () => {
    const { handler, runs } = testServer({ payUse: [requireApproval()] });
    const asked = await callTool(handler, "pay", { amount: 250 }, {}, {}, ELICIT);
    const [key, request] = firstAsk(asked.result);
    expect(request.method).toBe("elicitation/create");
    expect(request.params.message).toBe(
      'Allow "Pay an invoice" to run with these arguments?\n{"amount":250}',
    );
    expect(request.params.requestedSchema).toEqual({ type: "object", properties: {} });
    expect(runs.pay).toHaveLength(0);
    const approved = await callTool(
      handler,
      "pay",
      { amount: 250 },
      {},
      {
        requestState: asked.result.requestState,
        inputResponses: { [key]: { action: "accept", content: {} } },
      },
      ELICIT,
    );
    expect(approved.result.structuredContent).toEqual({ run: 1, era: "modern" });
    expect(runs.pay).toEqual([{ amount: 250 }]);
  });

  it("decline and cancel answer a refusal result and run nothing", async () => {
    const { handler, runs } = testServer({ payUse: [requireApproval()] });
    for (const action of ["decline", "cancel"] as const) {
      const asked = await callTool(handler, "pay", { amount: 1 }, {}, {}, ELICIT);
      const [key] = firstAsk(asked.result);
      const answer = await callTool(
        handler,
        "pay",
        { amount: 1 },
        {},
        { requestState: asked.result.requestState, inputResponses: { [key]: { action } } },
        ELICIT,
      );
      expect(answer.result.isError).toBe(true);
      expect(answer.result.content[0].text).toBe(
        action === "decline"
          ? 'The user declined "pay". Nothing was done.'
          : 'The user did not approve "pay". Nothing was done.',
      );
      expect(answer.result._meta["portico/approval"]).toBe(action === "decline" ? "declined" : "cancelled");
    }
    expect(runs.pay).toHaveLength(0);
  });

  it("an approval is bound to the exact arguments: replayed for other arguments, or twice, it is refused", async () => {
    const { handler, runs } = testServer({ payUse: [requireApproval()] });
    const asked = await callTool(handler, "pay", { amount: 1 }, {}, {}, ELICIT);
    const [key] = firstAsk(asked.result);
    const approval = {
      requestState: asked.result.requestState,
      inputResponses: { [key]: { action: "accept" } },
    };
    const swapped = await callTool(handler, "pay", { amount: 1_000_000 }, {}, approval, ELICIT);
    expect(swapped.error).toMatchObject({ code: -32602 });
    expect(swapped.error?.message).toMatch(/requestState is invalid, expired or belongs to another request/);
    // Unsolicited answers (no sealed state) are not an approval: the tool asks again.
    const unsolicited = await callTool(
      handler,
      "pay",
      { amount: 1 },
      {},
      { inputResponses: { [key]: { action: "accept" } } },
      ELICIT,
    );
    expect(unsolicited.result.resultType).toBe("input_required");
    // Another caller cannot use it either.
    const stolen = await callTool(handler, "pay", { amount: 1 }, { subject: "mallory" }, approval, ELICIT);
    expect(stolen.error).toMatchObject({ code: -32602 });
    expect(runs.pay).toHaveLength(0);
    const used = await callTool(handler, "pay", { amount: 1 }, {}, approval, ELICIT);
    expect(used.result.structuredContent).toEqual({ run: 1, era: "modern" });
    const twice = await callTool(handler, "pay", { amount: 1 }, {}, approval, ELICIT);
    expect(twice.error?.message).toMatch(/already been used/);
    expect(runs.pay).toHaveLength(1);
  });

  it("a client that cannot elicit gets a clear refusal, and nothing runs", async () => {
    const { handler, runs } = testServer({ payUse: [requireApproval()] });
    const answer = await callTool(handler, "pay", { amount: 1 });
    expect(answer.result.isError).toBe(true);
    expect(answer.result.content[0].text).toBe(
      '"pay" needs the user\'s approval, and this client cannot ask its user (it did not declare elicitation). Nothing was done.',
    );
    expect(runs.pay).toHaveLength(0);
  });

  it("`when` asks only for some arguments; a custom message", async () => {
    const { handler, runs } = testServer({
      payUse: [
        requireApproval({
          when: (args) => (args.amount as number) > 100,
          message: (args) => `Pay ${args.amount} EUR?`,
        }),
      ],
    });
    expect((await callTool(handler, "pay", { amount: 5 }, {}, {}, ELICIT)).result.structuredContent).toEqual({
      run: 1,
      era: "modern",
    });
    const asked = await callTool(handler, "pay", { amount: 500 }, {}, {}, ELICIT);
    expect(firstAsk(asked.result)[1].params.message).toBe("Pay 500 EUR?");
    expect(runs.pay).toHaveLength(1);
  });

  it("server-wide with destructive: true asks for destructiveHint tools only (and those named in tools)", async () => {
    const { handler, runs } = testServer({ use: [requireApproval({ destructive: true })] });
    expect(
      firstAsk((await callTool(handler, "remove", { path: "/" }, {}, {}, ELICIT)).result)[1].method,
    ).toBe("elicitation/create");
    expect((await callTool(handler, "pay", { amount: 1 }, {}, {}, ELICIT)).result.resultType).toBe(
      "complete",
    );
    expect((await callTool(handler, "echo", {}, {}, {}, ELICIT)).result.resultType).toBe("complete");
    const named = testServer({ use: [requireApproval({ destructive: true, tools: ["pay"] })] });
    expect((await callTool(named.handler, "pay", { amount: 1 }, {}, {}, ELICIT)).result.resultType).toBe(
      "input_required",
    );
    expect(runs.remove).toHaveLength(0);
  });
});

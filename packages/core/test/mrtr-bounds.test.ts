/**
 * What one caller's MRTR retries can make the server hold: a used `requestState` is remembered
 * (single use) until it expires, at most `maxRequestStatesPerCaller` at once per caller — its
 * principal, or an anonymous caller's address group — so one caller looping ask → retry cannot
 * fill the session store that everyone's sessions, tasks and retries live in. Past the bound its
 * retries are refused (-32600 with `retryAfterMs`), nobody else's; the bound frees as states expire;
 * a state still opens once, even replayed from another address; a retry costs at most two store
 * calls and a plain request none.
 */
import { describe, expect, it } from "vitest";
import {
  addTool,
  createHandler,
  ErrorCode,
  type HandlerOptions,
  type McpHandler,
  McpServer,
  memoryStores,
  PorticoError,
  type Stores,
} from "../src/index.ts";
import { modernRequest, read, URL_ } from "./_client.ts";
import { initializeRequest } from "./_requests.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function server(): McpServer {
  const s = new McpServer({ name: "mrtr-bounds", version: "1.0.0" });
  addTool(s, "ask", {}, async (_args, ctx) => {
    const answer = await ctx.elicit({
      message: "Sure?",
      requestedSchema: { type: "object", properties: {} },
    });
    return `got ${answer.action}`;
  });
  addTool(s, "plain", {}, () => "plain");
  return s;
}

/** A handler whose callers say who they are in `x-user` (anonymous without it). */
function handler(options: HandlerOptions = {}): McpHandler {
  return createHandler(server(), {
    authenticate: (request) => {
      const user = request.headers.get("x-user");
      return user === null ? undefined : { subject: user, issuer: "https://issuer.example", token: "t" };
    },
    onError: () => {},
    ...options,
  });
}

/** Who sends a request: a user (`x-user`) and/or an address (the platform's `ctx.clientAddress`). */
interface Caller {
  user?: string;
  address?: string;
}

async function send(h: McpHandler, caller: Caller, params: Record<string, unknown>, id = 1) {
  const headers: Record<string, string> = caller.user === undefined ? {} : { "x-user": caller.user };
  const request = modernRequest("tools/call", params, { id, headers, capabilities: { elicitation: {} } });
  const host = caller.address === undefined ? {} : { clientAddress: caller.address };
  return read(await h.fetch(request, undefined, host));
}

/** Asks (round one) and returns the retry that answers it: the tool's name, arguments and answers. */
async function firstRound(h: McpHandler, caller: Caller, n: number): Promise<Record<string, unknown>> {
  const first = await send(h, caller, { name: "ask", arguments: { n } });
  expect(first.final.result?.resultType).toBe("input_required");
  const [key] = Object.keys(first.final.result.inputRequests);
  return {
    name: "ask",
    arguments: { n },
    requestState: first.final.result.requestState,
    inputResponses: { [key as string]: { action: "accept", content: {} } },
  };
}

/** One full MRTR exchange of `caller`: ask, then retry with the answer; the retry's final message. */
async function roundTrip(h: McpHandler, caller: Caller, n = 0): Promise<Record<string, any>> {
  const retry = await firstRound(h, caller, n);
  return (await send(h, caller, retry, 2)).final;
}

const completed = (message: Record<string, any>) =>
  expect(message.result).toMatchObject({ resultType: "complete", content: [{ text: "got accept" }] });

function expectTooMany(message: Record<string, any>, limit: number): void {
  expect(message.error?.code).toBe(ErrorCode.InvalidRequest);
  expect(message.error?.message).toMatch(/^Too many answered input rounds: .*maxRequestStatesPerCaller/);
  expect(message.error?.data?.limit).toBe(limit);
  expect(message.error?.data?.retryAfterMs).toBeGreaterThan(0);
}

describe("MRTR requestState claims per caller", () => {
  it("refuses one caller past maxRequestStatesPerCaller while others' retries and initialize still work", async () => {
    // A store that holds 20 records: without a per-caller bound, mallory's retries fill it.
    const h = handler({ stores: memoryStores({ maxRecords: 20 }), maxRequestStatesPerCaller: 3 });
    const mallory = { user: "mallory" };
    for (let n = 0; n < 3; n++) completed(await roundTrip(h, mallory, n));
    for (let n = 3; n < 30; n++) expectTooMany(await roundTrip(h, mallory, n), 3);

    const victim = { user: "victim" };
    for (let n = 0; n < 3; n++) completed(await roundTrip(h, victim, n));
    const init = await h.fetch(initializeRequest(URL_));
    expect(init.status).toBe(200);
    expect((await read(init)).final.result?.protocolVersion).toBe("2025-11-25");
    // Plain calls never needed a store, and still answer.
    const plain = await send(h, mallory, { name: "plain", arguments: {} });
    expect(plain.final.result).toMatchObject({ resultType: "complete", content: [{ text: "plain" }] });
  });

  it("never lets concurrent retries of one caller past the bound", async () => {
    const h = handler({ maxRequestStatesPerCaller: 5 });
    const caller = { user: "dave" };
    const retries = await Promise.all(Array.from({ length: 20 }, (_, n) => firstRound(h, caller, n)));
    const answers = await Promise.all(retries.map(async (retry) => (await send(h, caller, retry, 2)).final));
    expect(answers.filter((a) => a.result?.resultType === "complete")).toHaveLength(5);
    for (const refused of answers.filter((a) => a.error !== undefined)) expectTooMany(refused, 5);
  });

  it("still refuses the same requestState twice, from the same caller or another address", async () => {
    const h = handler();
    const caller = { address: "198.51.100.7" };
    const retry = await firstRound(h, caller, 1);
    completed((await send(h, caller, retry, 2)).final);
    for (const again of [caller, { address: "203.0.113.9" }, {}]) {
      const replay = (await send(h, again, retry, 3)).final;
      expect(replay.error?.code).toBe(ErrorCode.InvalidParams);
      expect(replay.error?.message).toBe("Invalid params: requestState has already been used");
    }
    const user = { user: "alice" };
    const userRetry = await firstRound(h, user, 2);
    completed((await send(h, user, userRetry, 2)).final);
    expect((await send(h, user, userRetry, 3)).final.error?.message).toBe(
      "Invalid params: requestState has already been used",
    );
  });

  it("frees the bound as the caller's used states expire", async () => {
    const h = handler({ requestStateTtlMs: 400, maxRequestStatesPerCaller: 2 });
    const caller = { user: "bob" };
    completed(await roundTrip(h, caller, 1));
    completed(await roundTrip(h, caller, 2));
    const refused = await roundTrip(h, caller, 3);
    expectTooMany(refused, 2);
    expect(refused.error.data.retryAfterMs).toBeLessThanOrEqual(1000);
    await sleep(450);
    completed(await roundTrip(h, caller, 4));
    completed(await roundTrip(h, caller, 5));
    expectTooMany(await roundTrip(h, caller, 6), 2);
  });

  it("counts anonymous callers by their address group", async () => {
    const h = handler({ maxRequestStatesPerCaller: 2 });
    const v4 = { address: "198.51.100.7" };
    completed(await roundTrip(h, v4, 1));
    completed(await roundTrip(h, v4, 2));
    expectTooMany(await roundTrip(h, v4, 3), 2);
    // The same IPv4 address, as a dual-stack socket reports it: the same caller.
    expectTooMany(await roundTrip(h, { address: "::ffff:198.51.100.7" }, 4), 2);
    // Another group: its own allowance; one /64 is one caller.
    completed(await roundTrip(h, { address: "2001:db8:1:2::5" }, 5));
    completed(await roundTrip(h, { address: "2001:db8:1:2::6" }, 6));
    expectTooMany(await roundTrip(h, { address: "2001:db8:1:2::7" }, 7), 2);
    completed(await roundTrip(h, { address: "2001:db8:1:3::5" }, 8));
    // A state is counted against the caller it was issued to, wherever the retry comes from.
    const elsewhere = await firstRound(h, { address: "203.0.113.1" }, 9);
    completed((await send(h, v4, elsewhere, 2)).final);
  });

  it("costs a retry at most two store calls and a plain request none", async () => {
    const stores = memoryStores();
    let calls = 0;
    const counted: Stores = {
      ...stores,
      sessions: new Proxy(stores.sessions, {
        get(target, name, receiver) {
          const value = Reflect.get(target, name, receiver);
          if (typeof value !== "function") return value;
          return (...args: unknown[]) => {
            calls++;
            return value.apply(target, args);
          };
        },
      }),
    };
    const h = handler({ stores: counted });
    const caller = { user: "carol" };
    for (let n = 0; n < 3; n++) {
      calls = 0;
      const retry = await firstRound(h, caller, n);
      expect(calls).toBe(0);
      completed((await send(h, caller, retry, 2)).final);
      expect(calls).toBeGreaterThan(0);
      expect(calls).toBeLessThanOrEqual(2);
    }
    calls = 0;
    await send(h, caller, { name: "plain", arguments: {} });
    expect(calls).toBe(0);
  });

  it("checks maxRequestStatesPerCaller as the other numeric options", () => {
    for (const bad of [0, -1, Number.NaN, "5"]) {
      expect(() => handler({ maxRequestStatesPerCaller: bad as number })).toThrow(PorticoError);
      expect(() => handler({ maxRequestStatesPerCaller: bad as number })).toThrow(
        /maxRequestStatesPerCaller must be a number ≥ 1/,
      );
    }
  });
});

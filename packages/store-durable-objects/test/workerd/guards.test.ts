/**
 * @portico/guard inside workerd over the Durable Object stores. Two "instances" — two handlers,
 * each over its own `durableObjectStores` (as two Workers would have), with its own server built by
 * the same function — share nothing but the objects: the rate-limit bucket's object admits exactly
 * the limit of a burst split over both, and an idempotency key's record in the session store lets
 * one call of the key run while the duplicates on either instance wait for its result.
 */
import {
  addTool,
  createHandler,
  type JsonValue,
  type McpHandler,
  McpServer,
  type SessionStore,
  type StoreKey,
} from "@portico/core";
import { IDEMPOTENCY_META, idempotent, RATE_LIMIT_META, rateLimit } from "@portico/guard";
import { type JsonRpcMessage, modernPost, readJsonRpc } from "@portico/test-kit";
import { describe, expect, it } from "vitest";
import { type DurableObjectStores, durableObjectStores } from "../../src/index.ts";
import { testEnv } from "./_fixtures.ts";

const URL = "http://localhost/mcp";
const HOUR_MS = 3_600_000;

/** What the tools did in this isolate (both instances run here: the store proves the rest). */
const runs = { send: 0, charge: 0 };

/** A run counter in the session store: a compare-and-set loop, so concurrent runs anywhere each count once. */
async function countRun(sessions: SessionStore, key: StoreKey): Promise<number> {
  for (;;) {
    const found = await sessions.get(key);
    if (found === undefined) {
      if (await sessions.create(key, 1, 60_000)) return 1;
      continue;
    }
    const next = (found.value as number) + 1;
    if (await sessions.update(key, found.version, next, 60_000)) return next;
  }
}

const runsKey = (invoice: string): StoreKey => ({ kind: "guard-test-runs", id: invoice });

interface Instance {
  name: string;
  stores: DurableObjectStores;
  handler: McpHandler;
}

/** One instance: its own stores on the shared namespace, its own server, its own handler. */
function instance(name: string): Instance {
  const stores = durableObjectStores(testEnv.MCP_SESSIONS);
  const server = new McpServer({ name: "guarded-do", version: "1.0.0" });
  addTool(
    server,
    "send",
    { annotations: { readOnlyHint: false }, use: [rateLimit({ limit: 5, window: "hour" })] },
    async () => {
      runs.send += 1;
      return `sent by ${name}`;
    },
  );
  addTool(
    server,
    "charge",
    {
      annotations: { readOnlyHint: false },
      use: [idempotent({ key: (args) => args.invoice as string })],
    },
    async (args: Record<string, unknown>) => {
      runs.charge += 1;
      const invoice = args.invoice as string;
      const run = await countRun(stores.sessions, runsKey(invoice));
      await new Promise((resolve) => setTimeout(resolve, 200));
      return {
        content: [{ type: "text", text: `charged ${invoice} (run ${run})` }],
        structuredContent: { invoice, run, chargeId: crypto.randomUUID(), instance: name },
      };
    },
  );
  return { name, stores, handler: createHandler(server, { stores }) };
}

/** A modern-era `tools/call`; resolves its JSON-RPC answer. */
async function callTool(
  handler: McpHandler,
  name: string,
  args: Record<string, unknown>,
  clientAddress?: string,
): Promise<JsonRpcMessage> {
  const ctx = clientAddress === undefined ? {} : { clientAddress };
  const response = await handler.fetch(modernPost(URL, "tools/call", { name, arguments: args }), {}, ctx);
  const answer = (await readJsonRpc(response)).at(-1);
  if (answer === undefined) throw new Error(`no answer (HTTP ${response.status})`);
  return answer;
}

/** The idempotency key's record as @portico/guard keeps it in the session store (its tool, scope and key digest). */
async function keyRecordOf(sessions: SessionStore, tool: string, scope: string, key: string) {
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)));
  const digest = btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
  return sessions.get({ kind: "idempotency", id: `${tool}|${scope}|${digest}` });
}

describe("guards over the Durable Object stores, two instances", () => {
  it("rateLimit: 15 concurrent calls split over both instances admit exactly the limit of 5", async () => {
    const instances = [instance("a"), instance("b")];
    const address = "203.0.113.7";
    const sendsBefore = runs.send;
    const answers = await Promise.all(
      Array.from({ length: 15 }, (_, i) =>
        callTool((instances[i % 2] as Instance).handler, "send", {}, address),
      ),
    );
    for (const answer of answers) expect(answer.error).toBeUndefined();
    const admitted = answers.filter((answer) => answer.result.isError !== true);
    expect(admitted).toHaveLength(5);
    expect(runs.send - sendsBefore).toBe(5);
    for (const answer of admitted) expect(answer.result.content[0].text).toMatch(/^sent by [ab]$/);
    const limited = answers.filter((answer) => answer.result.isError === true);
    expect(limited).toHaveLength(10);
    for (const answer of limited) {
      expect(answer.result.content[0].text).toMatch(
        /^Rate limit reached for tool "send" \(5 calls per hour\)/,
      );
      const facts = answer.result._meta[RATE_LIMIT_META];
      expect(facts).toMatchObject({ limit: 5, windowMs: HOUR_MS, burst: 5, remaining: 0 });
      expect(facts.retryAfterMs).toBeGreaterThan(0);
      expect(facts.retryAfterMs).toBeLessThanOrEqual(HOUR_MS / 5);
    }

    // A third instance, started afterwards, finds the bucket empty too; another caller has its own.
    const later = instance("c");
    expect((await callTool(later.handler, "send", {}, address)).result.isError).toBe(true);
    expect((await callTool(later.handler, "send", {}, "203.0.113.8")).result.content[0].text).toBe(
      "sent by c",
    );
  });

  it("idempotent: 10 concurrent duplicates split over both instances run the tool once and all get its result", async () => {
    const instances = [instance("a"), instance("b")];
    const invoice = `INV-${crypto.randomUUID()}`;
    const chargesBefore = runs.charge;
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        callTool((instances[i % 2] as Instance).handler, "charge", { invoice }),
      ),
    );
    for (const answer of answers) {
      expect(answer.error).toBeUndefined();
      expect(answer.result.isError).toBeUndefined();
    }

    // One run: in this isolate, and in the counter both instances keep in the session store.
    expect(runs.charge - chargesBefore).toBe(1);
    const counted = await instances[1]?.stores.sessions.get(runsKey(invoice));
    expect(counted?.value).toBe(1);

    // Every answer, from either instance, carries that run's result; all but the run's own are replays.
    const [first] = answers as [JsonRpcMessage];
    const result = first.result.structuredContent;
    expect(result).toMatchObject({ invoice, run: 1 });
    for (const answer of answers) {
      expect(answer.result.structuredContent).toEqual(result);
      expect(answer.result.content).toEqual([{ type: "text", text: `charged ${invoice} (run 1)` }]);
    }
    const replayed = answers.filter((answer) => answer.result._meta?.[IDEMPOTENCY_META]?.replayed === true);
    expect(replayed).toHaveLength(9);
    for (const answer of replayed)
      expect(answer.result._meta[IDEMPOTENCY_META]).toEqual({ key: invoice, replayed: true });
    // The instance that did not run the tool answered with the other one's result.
    const ranOn = result.instance as string;
    const otherIndex = ranOn === "a" ? 1 : 0;
    expect(
      answers.filter((_, i) => i % 2 === otherIndex).map((a) => a.result.structuredContent.instance),
    ).toEqual(Array(5).fill(ranOn));

    // The key's record lives in the session store, as either instance's store reads it.
    for (const { stores } of instances) {
      const record = await keyRecordOf(stores.sessions, "charge", "anonymous", invoice);
      expect(record?.value).toMatchObject({ s: "done", r: { structuredContent: result as JsonValue } });
    }

    // A later duplicate, on either instance, is a replay of the stored result and runs nothing.
    for (const { handler } of instances) {
      const again = await callTool(handler, "charge", { invoice });
      expect(again.result.structuredContent).toEqual(result);
      expect(again.result._meta[IDEMPOTENCY_META]).toEqual({ key: invoice, replayed: true });
    }
    expect(runs.charge - chargesBefore).toBe(1);
    expect((await instances[0]?.stores.sessions.get(runsKey(invoice)))?.value).toBe(1);
  });
});

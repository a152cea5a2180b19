/**
 * The guards across instances (`../README.md`, "Guards"): for each store — a real redis-server, and
 * dynalite standing in for DynamoDB — three separate processes (`src/guard-instance.ts`) share the
 * store on 127.0.0.1, and:
 *
 * - rate limit: 3 × the limit `send` calls sent at once, spread over the three instances, from one
 *   caller: exactly `limit` are admitted (the bucket's burst is the limit; at 20 per hour, less than
 *   a token refills during the test), every other one is the rate-limit tool error with a retry hint;
 * - idempotency: 30 concurrent `charge` calls of one invoice, 10 per instance, while the first run
 *   takes 300 ms: the tool runs exactly once (the counter in the store), and all 30 answers carry that
 *   run's id; a later duplicate on each instance replays it; another invoice runs again.
 *
 * PORTICO_FAULTS_STORES=redis (or dynamodb) runs one store only.
 */
import { fileURLToPath } from "node:url";
import { type JsonRpcMessage, modernPost, readJsonRpc } from "@portico/test-kit";
import { type Instances, startInstances } from "@portico/test-kit/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StoreController, type StoreKind, startStore } from "../src/stores.ts";

const STORES = (process.env.PORTICO_FAULTS_STORES ?? "redis,dynamodb")
  .split(",")
  .map((s) => s.trim())
  .filter((s): s is StoreKind => s === "redis" || s === "dynamodb");

const SCRIPT = fileURLToPath(new URL("../src/guard-instance.ts", import.meta.url));
const LIMIT = 20;
const RATE_LIMIT_META = "portico/rateLimit";
const IDEMPOTENCY_META = "portico/idempotency";

let nextId = 1;
async function call(url: string, name: string, args: Record<string, unknown>): Promise<JsonRpcMessage> {
  const response = await fetch(modernPost(url, "tools/call", { name, arguments: args }, { id: nextId++ }));
  const messages = await readJsonRpc(response);
  const answer = messages.at(-1);
  if (answer === undefined) throw new Error(`no answer from ${url} (HTTP ${response.status})`);
  return answer;
}

describe.each(STORES)("guards across three instances on %s", (kind) => {
  let store: StoreController | undefined;
  let instances: Instances | undefined;
  let urls: string[] = [];

  beforeAll(async () => {
    store = await startStore(kind);
    instances = await startInstances(
      SCRIPT,
      ["a", "b", "c"].map((name) => ({ ...store?.env, FAULTS_NAME: name, GUARD_LIMIT: String(LIMIT) })),
    );
    urls = instances.urls;
  }, 90_000);

  afterAll(async () => {
    await instances?.stop();
    await store?.stop();
  }, 30_000);

  it(`3 × ${LIMIT} concurrent calls over three instances: exactly ${LIMIT} admitted`, async () => {
    const answers = await Promise.all(
      Array.from({ length: 3 * LIMIT }, (_, i) => call(urls[i % 3] as string, "send", { to: `user-${i}` })),
    );
    for (const answer of answers) expect(answer.error, JSON.stringify(answer)).toBeUndefined();
    const admitted = answers.filter((a) => a.result.isError !== true);
    const limited = answers.filter((a) => a.result.isError === true);
    expect(admitted).toHaveLength(LIMIT);
    // Which instance admitted which calls depends on arrival order (one may take the whole bucket):
    // only the total is the guarantee.
    for (const answer of limited) {
      expect(answer.result.content[0].text).toMatch(
        /^Rate limit reached for tool "send" \(20 calls per hour\)/,
      );
      expect(answer.result._meta[RATE_LIMIT_META]).toMatchObject({ limit: LIMIT, remaining: 0 });
      expect(answer.result._meta[RATE_LIMIT_META].retryAfterMs).toBeGreaterThan(0);
    }
    // Still limited afterwards, on every instance.
    for (const url of urls) expect((await call(url, "send", { to: "late" })).result.isError).toBe(true);
  }, 60_000);

  it("30 concurrent duplicates of one idempotency key over three instances: the tool runs once, all get its result", async () => {
    const invoice = `INV-${kind}-${Date.now()}`;
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => call(urls[i % 3] as string, "charge", { invoice, amount: 42 })),
    );
    for (const answer of answers) expect(answer.error, JSON.stringify(answer)).toBeUndefined();
    const runsSeen = new Set(answers.map((a) => a.result.structuredContent?.run));
    expect(runsSeen.size, JSON.stringify(answers.filter((a) => a.result.isError))).toBe(1);
    expect(answers.filter((a) => a.result._meta?.[IDEMPOTENCY_META]?.replayed === true)).toHaveLength(29);
    const counted = (await (
      await fetch(`${new URL(urls[0] as string).origin}/__guard/runs?invoice=${invoice}`)
    ).json()) as {
      runs: number;
    };
    expect(counted.runs).toBe(1);
    for (const url of urls) {
      const later = await call(url, "charge", { invoice, amount: 42 });
      expect(later.result.structuredContent.run).toBe([...runsSeen][0]);
    }
    const other = await call(urls[1] as string, "charge", { invoice: `${invoice}-2`, amount: 42 });
    expect(other.result._meta?.[IDEMPOTENCY_META]).toBeUndefined();
  }, 60_000);
});

/** What the parts of the store battery (`describeStore`) share: fresh names, waiting, sample values. */
import type { JsonValue, StoreKey } from "@portico/core";

/** Longest wait for anything a store does "eventually" (expiry, bus delivery). */
export const WAIT_MS = 5_000;
const POLL_MS = 20;
/** Slack allowed between this process's clock and a store's idea of `expiresAt`. */
export const CLOCK_SLACK_MS = 5_000;

const run = `portico-test-${globalThis.crypto.randomUUID()}`;
let counter = 0;
/** A name no other test (or concurrent run against a shared store) uses; visible ASCII only. */
export function unique(label: string): string {
  counter += 1;
  return `${run}-${label}-${counter}`;
}

/** A session store key no other test uses, shaped like the core's session records: a kind and a fresh session. */
export function freshKey(label: string): StoreKey {
  return { kind: "session", session: unique(label) };
}

/** A topic no other test uses, shaped like the core's stream wake-ups: a kind, a fresh session and an id. */
export function freshTopic(label: string): StoreKey {
  return { kind: "stream", session: unique(label), id: "s" };
}

/**
 * Keys (or topics) of every shape, each naming something no other test uses: kind only (server-wide,
 * like the broadcast topic), kind and session, kind, session and id (like a reply mailbox), and
 * kind and id without a session.
 */
export function keysOfEveryShape(label: string): Record<string, StoreKey> {
  return {
    "kind only": { kind: unique(`${label}-kind`) },
    "kind and session": { kind: "session", session: unique(label) },
    "kind, session and id": { kind: "reply", session: unique(label), id: '"1"' },
    "kind and id": { kind: unique(`${label}-kind`), id: "x" },
  };
}

/**
 * Keys (or topics) that differ from one another only in their kind, their session or their id, or
 * in having a session or an id at all — each must name something else (their `storeKeyText`s differ).
 */
export function keysDifferingByOnePart(label: string): StoreKey[] {
  const kind = unique(`${label}-kind`);
  const s1 = unique(`${label}-s1`);
  const s2 = unique(`${label}-s2`);
  return [
    { kind },
    { kind, id: "1" },
    { kind, session: s1 },
    { kind, session: s2 },
    { kind, session: s1, id: "1" },
    { kind, session: s1, id: "2" },
    { kind, session: s2, id: "1" },
    { kind: `${kind}-other`, session: s1, id: "1" },
    { kind: `${kind}-other`, session: s1 },
    // Parts that would run together in a naive `kind:session:id` text.
    { kind, id: s1 },
    { kind, session: `${s1}:1` },
    { kind: `${kind}:${s1}` },
    { kind, session: "", id: "1" },
  ];
}

/** Polls `check` until it holds; fails with `what` after `timeoutMs`. Never asserts on timing. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export function recorder() {
  const got: JsonValue[] = [];
  return { got, onMessage: (message: JsonValue) => void got.push(message) };
}

function nested(depth: number): JsonValue {
  let value: JsonValue = { leaf: true };
  for (let i = 0; i < depth; i++) value = { level: i, child: value, list: [i, "x"] };
  return value;
}

/** JSON values every store must return exactly as given. */
export const SAMPLES: Record<string, JsonValue> = {
  null: null,
  true: true,
  false: false,
  zero: 0,
  "negative integer": -42,
  float: 0.1,
  tiny: 5e-324,
  huge: 1.7976931348623157e308,
  "max safe integer": Number.MAX_SAFE_INTEGER,
  "empty string": "",
  "empty array": [],
  "empty object": {},
  unicode: "héllo wörld — 日本語 — עברית — 👩‍👩‍👧‍👦 — e\u0301 — \u2028\u2029",
  "control characters": 'tab\tnewline\ncr\rnul\u0000bell\u0007quote"backslash\\',
  "awkward keys": { "": 1, "a.b": 2, $dollar: 3, "with space": 4, ключ: 5, "0": 6, "a/b:c": 7 },
  "nested 40 deep": nested(40),
  mixed: { a: [1, "two", null, false, { b: [[], {}] }], c: { d: { e: "f" } }, n: -0.5e-10 },
};

export const LARGE = Array.from({ length: 100 * 1024 }, (_, i) =>
  String.fromCharCode(32 + ((i * 7) % 95)),
).join("");

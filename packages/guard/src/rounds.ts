/**
 * The rounds of one 2026-07-28 call. A call that asks for input ends `input_required` and is retried
 * with a sealed, single-use `requestState` (the core checks it before any middleware runs). A rate
 * limit counts such a call once: in the round where the call reached the limit, which then notes —
 * in the session store every instance shares, for as long as a `requestState` lives by default — that
 * this caller's call (method, target, arguments) was counted; its retries are then not counted again.
 * A retry the limit holds no note for (the first round asked before reaching it: an approval placed
 * ahead of the limit) is counted as a fresh call, so asking never becomes a way around a limit.
 */
import type { McpCall, StoreKey } from "@portico/core";
import { digestOf } from "./digest.ts";

/** The methods that ask in rounds (2026-07-28). */
const ROUND_METHODS = new Set(["tools/call", "resources/read", "prompts/get"]);

/** How long a note is kept: the core's default `requestStateTtlMs`. */
export const ROUNDS_TTL_MS = 10 * 60 * 1000;

/** One limit's view of one call's rounds. */
export interface Rounds {
  /** Whether this is a retry of a call this limit already counted. */
  counted(): Promise<boolean>;
  /** Runs the call; when it asks for input (ends `input_required`), notes that it was counted. */
  follow<T>(run: () => Promise<T>): Promise<T>;
}

/**
 * The rounds of `call` for the limit named `limitId`, or `undefined` for a call that cannot ask in
 * rounds (the legacy era asks over its stream within one request).
 */
export function roundsOf(call: McpCall, who: string, limitId: string): Rounds | undefined {
  if (call.era !== "modern" || !ROUND_METHODS.has(call.method)) return undefined;
  let key: Promise<StoreKey> | undefined;
  const keyOf = () => {
    key ??= digestOf([limitId, who, call.method, call.target ?? null, call.params.arguments ?? null]).then(
      (id) => ({ kind: "rate-rounds", id }),
    );
    return key;
  };
  return {
    async counted() {
      if (typeof call.params.requestState !== "string") return false;
      try {
        return (await call.stores.sessions.get(await keyOf())) !== undefined;
      } catch (error) {
        call.report(error, "rateLimit rounds");
        return false; // counted again: never let a store fault lift a limit
      }
    },
    async follow(run) {
      try {
        return await run();
      } catch (error) {
        if (error instanceof Error && error.name === "InputRequiredSignal") await note(call, await keyOf());
        throw error;
      }
    },
  };
}

async function note(call: McpCall, key: StoreKey): Promise<void> {
  try {
    const sessions = call.stores.sessions;
    if (!(await sessions.create(key, true, ROUNDS_TTL_MS))) {
      const existing = await sessions.get(key);
      if (existing !== undefined) await sessions.update(key, existing.version, true, ROUNDS_TTL_MS);
    }
  } catch (error) {
    call.report(error, "rateLimit rounds"); // the retry is then counted: stricter, never looser
  }
}

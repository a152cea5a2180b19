/**
 * The count of open legacy sessions across every instance on the same stores (`maxSessions`),
 * kept without a record per session and without missing sessions that the store expires on its
 * own (a TTL, with nobody told).
 *
 * Sessions are counted in up to {@link SHARDS} census records, so that concurrent `initialize`s
 * spread their compare-and-set writes; the shards' quotas add up to exactly `maxSessions`. A
 * census record counts its sessions by when they expire, in buckets of 1/32 of the idle lifetime
 * (at least a second): a session is counted in the first bucket that ends at or after its expiry,
 * and a bucket that has ended counts for nothing, so a session the store expired drops out of the
 * count at most one bucket later, with no one writing anything. A session whose expiry slides is
 * moved to its new bucket (`moveCounted`, amortised like the slide itself); a DELETEd one is taken
 * out (`uncount`).
 */
import { keys } from "../stores/keys.ts";
import type { JsonValue, Stores } from "../stores/types.ts";

/** Most census records; fewer when `maxSessions` is smaller. */
export const SHARDS = 16;
const CAS_ATTEMPTS = 3;

/** Where a session is counted: its census record and the end of its bucket (epoch ms). */
interface CensusEntry {
  shard: number;
  bucket: number;
}

/**
 * A {@link CensusEntry} as the session record keeps it: one number, `bucket × SHARDS + shard`
 * (exact: bucket ends are whole milliseconds), so an idle session holds no extra object.
 */
export type CensusPlace = number;

const placeOf = (entry: CensusEntry): CensusPlace => entry.bucket * SHARDS + entry.shard;
const entryOf = (place: CensusPlace): CensusEntry => ({
  shard: place % SHARDS,
  bucket: (place - (place % SHARDS)) / SHARDS,
});

/** Bucket end (epoch ms, as text) → sessions expiring in it. */
type Buckets = Record<string, number>;

/** How wide a bucket is for sessions that live `idleMs` when idle. */
export const bucketMs = (idleMs: number): number => Math.max(1000, Math.ceil(idleMs / 32));

/** The end of the bucket a session expiring at `expiresAt` is counted in. */
export const bucketOf = (expiresAt: number, width: number): number => Math.ceil(expiresAt / width) * width;

/** Buckets that have not ended yet, and how many sessions they hold. */
function live(value: JsonValue | undefined, now: number): { buckets: Buckets; total: number } {
  const buckets: Buckets = {};
  let total = 0;
  const stored = (value as { b?: Buckets } | undefined)?.b ?? {};
  for (const [end, count] of Object.entries(stored)) {
    if (Number(end) > now && count > 0) {
      buckets[end] = count;
      total += count;
    }
  }
  return { buckets, total };
}

/** The lifetime of a census record holding `buckets`: until its last bucket ends. */
const recordTtl = (buckets: Buckets, now: number): number =>
  Math.max(1, ...Object.keys(buckets).map((end) => Number(end) - now));

/** Shard `shard`'s share of `max` sessions over `shards` shards (the shares add up to `max`). */
const quota = (max: number, shards: number, shard: number): number =>
  Math.floor(max / shards) + (shard < max % shards ? 1 : 0);

/**
 * Applies `change` to shard `shard`'s buckets with compare-and-set. `change` answers the new
 * buckets, or `undefined` to write nothing. Answers "conflict" when other writers kept winning.
 */
async function changeShard(
  stores: Stores,
  shard: number,
  change: (buckets: Buckets, total: number) => Buckets | undefined,
): Promise<"written" | "unchanged" | "conflict"> {
  const key = keys.sessionCensus(shard);
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const stored = await stores.sessions.get(key);
    const now = Date.now();
    const { buckets, total } = live(stored?.value, now);
    const next = change(buckets, total);
    if (next === undefined) return "unchanged";
    const value = { b: next } as unknown as JsonValue;
    const ttl = recordTtl(next, now);
    const written =
      stored === undefined
        ? await stores.sessions.create(key, value, ttl)
        : await stores.sessions.update(key, stored.version, value, ttl);
    if (written) return "written";
  }
  return "conflict";
}

const add = (buckets: Buckets, bucket: number, by: number): Buckets => {
  const count = (buckets[bucket] ?? 0) + by;
  const next = { ...buckets };
  if (count > 0) next[bucket] = count;
  else delete next[bucket];
  return next;
};

/** Every shard found full within this long is not read again before it passes (per process). */
const FULL_MEMO_MS = 1000;
const fullUntil = new WeakMap<Stores, number>();

/**
 * Counts a new session expiring at `expiresAt`, if the shards have room for it. "full" when every
 * shard holds its quota; "busy" when none had room that concurrent writers let this one take.
 */
export async function count(
  stores: Stores,
  max: number,
  expiresAt: number,
  width: number,
): Promise<CensusPlace | "full" | "busy"> {
  if ((fullUntil.get(stores) ?? 0) > Date.now()) return "full";
  const shards = Math.min(SHARDS, max);
  const start = Math.floor(Math.random() * shards);
  const bucket = bucketOf(expiresAt, width);
  let busy = false;
  for (let i = 0; i < shards; i++) {
    const shard = (start + i) % shards;
    const limit = quota(max, shards, shard);
    const outcome = await changeShard(stores, shard, (buckets, total) =>
      total >= limit ? undefined : add(buckets, bucket, 1),
    );
    if (outcome === "written") return placeOf({ shard, bucket });
    if (outcome === "conflict") busy = true;
  }
  if (busy) return "busy";
  fullUntil.set(stores, Date.now() + FULL_MEMO_MS);
  return "full";
}

/** Takes a DELETEd session out of the count (best effort: its bucket ends anyway). */
export async function uncount(stores: Stores, place: CensusPlace): Promise<void> {
  fullUntil.delete(stores);
  const entry = entryOf(place);
  await changeShard(stores, entry.shard, (buckets) =>
    buckets[entry.bucket] === undefined ? undefined : add(buckets, entry.bucket, -1),
  );
}

/**
 * Where a counted session goes when its expiry slides to `expiresAt`: a later bucket of the same
 * shard, or `undefined` when it stays in its bucket. The session record is written with it first;
 * only the writer that won then moves the count ({@link moveCounted}), so a move happens once.
 */
function slid(entry: CensusEntry, expiresAt: number, width: number): CensusEntry | undefined {
  const bucket = bucketOf(expiresAt, width);
  return bucket > entry.bucket ? { shard: entry.shard, bucket } : undefined;
}

/**
 * Moves a session's place from bucket `from` to `to` of its shard. Best effort: when its shard
 * stays too busy, the session leaves the count early (at `from`'s end) until a later slide.
 */
async function moveCounted(stores: Stores, from: CensusEntry, to: CensusEntry): Promise<void> {
  await changeShard(stores, from.shard, (buckets) => add(add(buckets, from.bucket, -1), to.bucket, 1));
}

/**
 * `state` with its place in the `maxSessions` count moved to expiry `expiresAt` (when that is a
 * later bucket), and the move of the count itself, for the writer whose session write won — so a
 * move happens once however many requests race to slide the same session.
 */
export function slideCount<S extends { census?: CensusPlace }>(
  state: S,
  lifetime: { idleMs: number },
  expiresAt: number,
): { state: S; commit: (stores: Stores) => Promise<void> } {
  const from = state.census === undefined ? undefined : entryOf(state.census);
  const to = from === undefined ? undefined : slid(from, expiresAt, bucketMs(lifetime.idleMs));
  if (from === undefined || to === undefined) return { state, commit: async () => {} };
  return {
    state: { ...state, census: placeOf(to) },
    commit: (stores) => moveCounted(stores, from, to).catch(() => undefined),
  };
}

/**
 * The store battery's server-wide session cap (`maxSessions`): two handlers over the same stores
 * (two instances) admit exactly the cap between them, even when every `initialize` arrives at
 * once, turn the rest away with 503 + `Retry-After`, give a DELETEd session's place back, and
 * stop counting sessions the store expired by itself. The census records are server-wide keys,
 * so the battery gives them a kind no other test uses (other kinds pass through untouched).
 */
import { createHandler, McpServer, type StoreKey, type Stores } from "@portico/core";
import { expect, it } from "vitest";
import { unique, WAIT_MS } from "./_store-battery-kit.ts";
import { initializeBody, legacyDelete, legacyPost } from "./requests.ts";

const URL_ = "http://127.0.0.1/mcp";

/** `stores` with their server-wide keys renamed into a namespace of their own. */
function namespaced(stores: Stores, space: string): Stores {
  const sessions = stores.sessions;
  const at = (key: StoreKey): StoreKey =>
    key.session === undefined ? { ...key, kind: `${space}-${key.kind}` } : key;
  return {
    ...stores,
    sessions: {
      get: (key) => sessions.get(at(key)),
      create: (key, value, ttlMs) => sessions.create(at(key), value, ttlMs),
      update: (key, version, value, ttlMs) => sessions.update(at(key), version, value, ttlMs),
      delete: (key) => sessions.delete(at(key)),
    },
  };
}

/** Two instances (each its own `Stores` object, as two processes have) with these options. */
function instances(stores: Stores, options: { maxSessions: number; sessionTtlMs?: number }) {
  const space = unique("census");
  return [0, 1].map(() =>
    createHandler(new McpServer({ name: "census", version: "1" }), {
      ...options,
      stores: namespaced(stores, space),
      maxSessionsPerCaller: Infinity,
    }),
  );
}

const initialize = (handler: { fetch(request: Request): Promise<Response> }) =>
  handler.fetch(legacyPost(URL_, initializeBody(1)));

export function censusTests(stores: () => Stores): void {
  it("admits exactly maxSessions across instances, even all at once; 503 beyond; DELETE frees a place", async () => {
    const [a, b] = instances(stores(), { maxSessions: 4 }) as [
      ReturnType<typeof createHandler>,
      ReturnType<typeof createHandler>,
    ];
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => initialize(i % 2 ? a : b)));
    const admitted = answers.filter((r) => r.status === 200);
    expect(admitted.length).toBeLessThanOrEqual(4);
    for (const refused of answers.filter((r) => r.status !== 200)) {
      expect(refused.status).toBe(503);
      expect(["1", "30"]).toContain(refused.headers.get("retry-after"));
    }
    // Those turned away only because the others were writing at that moment get in on a retry.
    for (let tries = 0; admitted.length < 4 && tries < 20; tries++) {
      const again = await initialize(a);
      if (again.status === 200) admitted.push(again);
    }
    expect(admitted.length).toBe(4);
    const full = await initialize(b);
    expect(full.status).toBe(503);
    expect(full.headers.get("retry-after")).toBe("30");
    const sessionId = admitted[0]?.headers.get("mcp-session-id") as string;
    expect((await a.fetch(legacyDelete(URL_, { sessionId }))).status).toBe(200);
    expect((await initialize(a)).status).toBe(200);
    expect((await initialize(a)).status).toBe(503);
  });

  it("stops counting sessions the store expired by itself", async () => {
    const [a] = instances(stores(), { maxSessions: 1, sessionTtlMs: 1000 });
    expect((await initialize(a!)).status).toBe(200);
    expect((await initialize(a!)).status).toBe(503);
    // Expired after 1 s, out of the count when its bucket ends (≤ 1 s later); nothing is written.
    const deadline = Date.now() + WAIT_MS;
    let status = 503;
    await new Promise((resolve) => setTimeout(resolve, 1900));
    while (status !== 200 && Date.now() < deadline) {
      status = (await initialize(a!)).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(200);
  });
}

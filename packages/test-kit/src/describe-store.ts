import type { Stores } from "@portico/core";
import { afterAll, beforeAll, describe } from "vitest";
import { bindingTests } from "./_store-battery-binding.ts";
import { busTests } from "./_store-battery-bus.ts";
import { censusTests } from "./_store-battery-census.ts";
import { type BoundedEventStoreFactory, eventBytesTests } from "./_store-battery-event-bytes.ts";
import { eventStoreTests } from "./_store-battery-events.ts";
import { idempotencyTests } from "./_store-battery-idempotency.ts";
import { limitTests } from "./_store-battery-limits.ts";
import { sessionStoreTests } from "./_store-battery-sessions.ts";
import { taskTests } from "./_store-battery-tasks.ts";

/** What a {@link describeStore} factory provides: the stores under test and how to release them. */
export interface StoreFixture {
  stores: Stores;
  /** Runs once after the battery (close clients, drop tables, stop servers). */
  cleanup?: () => Promise<void>;
  /**
   * An event store over the same backend with a byte bound per session (its `maxBytesPerSession`
   * option). When given, the battery checks the bound (skipped otherwise): oldest events of a session evicted first,
   * the newest always kept, sessions bounded apart, the count reset by a session trim.
   */
  boundedEvents?: BoundedEventStoreFactory;
}

const TEST_TIMEOUT_MS = 30_000;
const SETUP_TIMEOUT_MS = 120_000;

/**
 * The contract battery every Portico store runs. It uses only the public interfaces and real
 * time, and every test picks fresh random keys, session ids and topics, so it can run against a
 * shared external store. Keys and topics come in every shape (`{ kind, session?, id? }`), and keys
 * that differ in one part only must name different records and topics. `factory` runs once before
 * the battery and `cleanup` once after it.
 */
export function describeStore(name: string, factory: () => Promise<StoreFixture> | StoreFixture): void {
  describe(`store contract: ${name}`, { timeout: TEST_TIMEOUT_MS }, () => {
    let fixture: StoreFixture | undefined;
    beforeAll(async () => {
      fixture = await factory();
    }, SETUP_TIMEOUT_MS);
    afterAll(async () => {
      await fixture?.cleanup?.();
    }, SETUP_TIMEOUT_MS);
    const stores = (): Stores => {
      if (!fixture) throw new Error("describeStore: the factory did not produce stores");
      return fixture.stores;
    };

    sessionStoreTests(stores);
    eventStoreTests(stores);
    busTests(stores);
    bindingTests(stores);
    censusTests(stores);
    taskTests(stores);
    limitTests(stores);
    idempotencyTests(stores);
    eventBytesTests(() => fixture?.boundedEvents);
  });
}

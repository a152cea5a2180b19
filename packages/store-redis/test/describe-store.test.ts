import { describeStore } from "@portico/test-kit";
import { RedisEventStore } from "../src/index.ts";
import { useBackends } from "./_backends.ts";
import { FLAVOURS, type OpenedStores, openStores } from "./_clients.ts";

const backends = useBackends();

/** The fixture of `opened`: its stores, and byte-bounded event stores on the same client and prefix. */
function fixture(opened: OpenedStores) {
  return {
    stores: opened.stores,
    cleanup: opened.close,
    boundedEvents: (maxBytesPerSession: number) => new RedisEventStore(opened.client, { maxBytesPerSession }),
  };
}

for (const flavour of FLAVOURS) {
  const bus = flavour === "rest" ? "polling" : "pub/sub";
  describeStore(`redis via ${flavour} (${bus} bus)`, async () =>
    fixture(await openStores(flavour, backends.direct())),
  );
}

describeStore("redis via node-redis (polling bus)", async () =>
  fixture(await openStores("node-redis", backends.direct(), { bus: "poll" })),
);

import { describeStore } from "@portico/test-kit";
import { useBackends } from "./_backends.ts";
import { FLAVOURS, openStores } from "./_clients.ts";

const backends = useBackends();

for (const flavour of FLAVOURS) {
  const bus = flavour === "rest" ? "polling" : "pub/sub";
  describeStore(`redis via ${flavour} (${bus} bus)`, async () => {
    const opened = await openStores(flavour, backends.direct());
    return { stores: opened.stores, cleanup: opened.close };
  });
}

describeStore("redis via node-redis (polling bus)", async () => {
  const opened = await openStores("node-redis", backends.direct(), { bus: "poll" });
  return { stores: opened.stores, cleanup: opened.close };
});

// The fuzz server as a module worker under `wrangler dev` (test/workers.test.ts): the handler built
// at module scope with the in-memory stores (one isolate serves the whole run), every path served.
import { handle } from "@portico/adapter-workers";
import { createFuzzHandler } from "../src/server.ts";

export default handle(createFuzzHandler());

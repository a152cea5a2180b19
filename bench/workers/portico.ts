/**
 * The bench's `portico` app (the `add` tool, in-memory stores) behind the Workers adapter, as a
 * module worker (bundled by src/workers-bundle.ts; outside src/ because it type-checks against the
 * Workers runtime, not Node).
 */
import { handle } from "@portico/adapter-workers";
import { portico } from "../src/apps/portico.ts";

// A factory: the core draws a random secret when built, which Workers forbid at module scope.
export default handle(() => portico());

/** The bench's hand-written `add` handler as a module worker: the floor (bundled by src/workers-bundle.ts). */
import { bare } from "../src/apps/bare.ts";

const app = bare();

export default { fetch: (request: Request) => app.fetch(request) };

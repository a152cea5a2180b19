// The README's Worker as written (only the adapter is imported by path): the handler is built at
// module scope, where Workers forbid random values and I/O, with no configuration at all.
import { createHandler } from "@portico/core";
import { handle } from "../../src/index.ts";
import { createServer } from "./tools.ts";

export default handle(createHandler(createServer()));

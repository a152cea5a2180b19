// The control: a Worker that does draw a random value at module scope. `wrangler dev` must refuse
// it ("Disallowed operation called within global scope"), or the module-scope test proves nothing.
import { createHandler } from "@portico/core";
import { handle } from "../../src/index.ts";
import { createServer } from "./tools.ts";

const nonce = crypto.getRandomValues(new Uint8Array(8));

export default handle({
  fetch: (request, env, ctx) =>
    nonce.length === 8 ? createHandler(createServer()).fetch(request, env, ctx) : new Response(null),
});

/**
 * The everything server as a Vercel Node.js server (zero-config `"framework": "node"`): the default
 * export `{ fetch }` serves every path in one function, which vercel dev runs in one long-lived
 * process (and Vercel deploys as one function with in-function concurrency). The other vercel
 * target (`../vercel`, a function under `api/`) starts a fresh process per request instead.
 * Plain JavaScript for the same reason as `../vercel/api/mcp.mjs`: Node's own type stripping
 * serves the TypeScript sources it imports.
 */
import { handle } from "@portico/adapter-vercel";
import { createEverythingApp } from "../src/app.ts";

export default handle(createEverythingApp(), { maxDuration: 300 });

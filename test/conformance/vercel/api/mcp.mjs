/**
 * The everything server as a Vercel Function, for `pnpm conformance` through `vercel dev --local`
 * (`vercel.json` rewrites `/mcp` here). Plain JavaScript on purpose: vercel dev loads a `.ts`
 * function through tsx (about 3 s per request, and it starts a fresh process for every request),
 * while an `.mjs` one runs on Node's own type stripping, which also serves the TypeScript sources
 * it imports (0.7-1.4 s per request on a 2-core machine; 0.4-0.8 s with Node's compile cache,
 * which the conformance target leaves off, and then nearly all of it is vercel dev's own function
 * runtime: an empty function takes as long, a prebundled single file measured no faster).
 * vercel dev runs each request in a fresh process, so the sessions, event logs and bus live in the
 * runner's process (`PORTICO_DEV_STORES_URL`, see `startVercelDev`).
 */
import { handle } from "@portico/adapter-vercel";
import { devStores } from "@portico/adapter-vercel/dev";
import { createEverythingApp } from "../../src/app.ts";

const storesUrl = process.env.PORTICO_DEV_STORES_URL;
const app = createEverythingApp(storesUrl ? { handler: { stores: devStores(storesUrl) } } : {});

export const { GET, POST, DELETE, OPTIONS } = handle(app, { maxDuration: 300 });

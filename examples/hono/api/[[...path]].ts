/**
 * Vercel Functions (Node.js runtime): every path of the project — the REST API and `/mcp` — in one
 * function (vercel.json rewrites every path here; the app sees the path as requested).
 */
import { handle } from "@portico/adapter-vercel";
import { vercelDevDefaults } from "@portico/adapter-vercel/dev";
import { createApp } from "../src/app.ts";

// `vercel dev` runs every request in a fresh process: there, the books and the legacy sessions
// live in the adapter's dev daemon, shared by all of them, with its requestState secret. Anywhere
// else this is undefined; deployed, give `createApp` durable stores (Vercel runs many instances).
const dev = vercelDevDefaults();

export const { GET, POST, DELETE, OPTIONS } = handle(
  await createApp({ stores: dev?.stores, secret: process.env.PORTICO_SECRET ?? dev?.secret }),
);

/** Vercel Functions (Node.js runtime): every path of the project — the REST API and `/mcp` — in one function. */
import { handle } from "@portico/adapter-vercel";
import { app } from "../src/app.ts";

export const { GET, POST, DELETE, OPTIONS } = handle(app);

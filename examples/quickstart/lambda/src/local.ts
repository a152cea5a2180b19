/**
 * The same Lambda handlers for a laptop: no AWS account, no DynamoDB, no Secrets Manager. Legacy
 * sessions live in memory stores (one process: `npm run dev` serves every request from it), and
 * the requestState secret is drawn once per run. Served by `portico-lambda-dev`, which turns each
 * HTTP request into a Function URL event, so the adapter's event conversion and response
 * streaming run exactly as deployed. Never deploy this file: deployed, sessions must outlive one
 * instance (see handler.ts).
 */
import { randomBytes } from "node:crypto";
import { handle, streamHandle } from "@portico/adapter-lambda";
import { memoryStores } from "@portico/core";
import { createApp } from "./app.ts";

const app = createApp({
  stores: memoryStores(),
  secret: process.env.REQUEST_STATE_SECRET || randomBytes(32).toString("hex"),
});

/** Buffered (HTTP API route): JSON answers, no long-lived streams. */
export const handler = handle(app);
/** Response streaming (Function URL): SSE streams as deployed. */
export const streamHandler = streamHandle(app);

/**
 * The same Lambda handlers for a laptop: no AWS account, no DynamoDB, no Secrets Manager. Legacy
 * sessions live in memory stores (one process: `npm run dev` serves every request from it), and
 * the requestState secret is drawn once per run. Served by `portico-lambda-dev`, which turns each
 * HTTP request into a Function URL event, so the adapter's event conversion and response
 * streaming run exactly as deployed. Never deploy this file: deployed, sessions must outlive one
 * instance (see handler.ts).
 *
 * Tasks: under `portico-lambda-dev` (`npm run dev`) every run of the `report` task is an
 * asynchronous invocation through the dev server's stand-in of Lambda's `Invoke` API, as deployed:
 * the dev server sets `AWS_ENDPOINT_URL_LAMBDA` to itself once it listens. Served some other way
 * (no such variable), a run happens in this process, kept going with `waitUntil`.
 */
import { randomBytes } from "node:crypto";
import { handle, invokeSelf, streamHandle } from "@portico/adapter-lambda";
import { memoryStores } from "@portico/core";
import { observe } from "@portico/observe";
import { createApp } from "./app.ts";
import { logLevel } from "./config.ts";

// The dev server takes any function name and does not check signatures (loopback only).
const selfInvoke = invokeSelf({
  region: "us-east-1",
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
});

// The deployed functions' request lines (without their EMF metrics documents), at LOG_LEVEL.
const ops = observe({ service: "portico-quickstart-local", level: logLevel(process.env.LOG_LEVEL) });

const app = createApp(
  {
    stores: ops.stores(memoryStores()),
    secret: process.env.REQUEST_STATE_SECRET || randomBytes(32).toString("hex"),
  },
  undefined,
  {
    taskDispatch: async (job, host) => {
      if (process.env.AWS_ENDPOINT_URL_LAMBDA) return selfInvoke(job);
      host.waitUntil?.(app.runTask(job, undefined, host));
    },
  },
  ops,
);

/** Buffered (HTTP API route): JSON answers, no long-lived streams. */
export const handler = handle(app);
/** Response streaming (Function URL): SSE streams as deployed. */
export const streamHandler = streamHandle(app);

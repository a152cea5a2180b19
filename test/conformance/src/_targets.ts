/**
 * Where the suite runs: one entry per adapter mounting the everything server. Each `start()`
 * brings a server up on 127.0.0.1 with a free port and returns the MCP endpoint URL.
 */
import { handle, invokeSelf, streamHandle } from "@portico/adapter-lambda";
import { installAwslambda, serveLambda } from "@portico/adapter-lambda/dev";
import { serve } from "@portico/adapter-node";
import { vercel, vercelServer } from "./_target-vercel.ts";
import { workers } from "./_target-workers.ts";
import { createEverythingApp, MCP_PATH } from "./app.ts";

export interface RunningTarget {
  url: string;
  stop(): Promise<void>;
}

export interface Target {
  name: string;
  start(): Promise<RunningTarget>;
  /** A sub-directory of `baselines/` with this target's own expected failures (default: the shared files). */
  baselineDir?: string;
}

const node: Target = {
  name: "node",
  async start() {
    const app = createEverythingApp();
    const server = await serve(app, { port: 0, hostname: "127.0.0.1" });
    return {
      url: `${server.url}${MCP_PATH}`,
      async stop() {
        await server.close();
        app.close();
      },
    };
  },
};

/** The everything server behind a Lambda handler, served by the adapter's local dev server. */
function lambda(
  name: string,
  wrap: (app: ReturnType<typeof createEverythingApp>) => unknown,
  baselineDir?: string,
): Target {
  const target: Target = {
    name,
    async start() {
      installAwslambda();
      // Task runs go to asynchronous invocations of the same function, through the dev server's
      // stand-in of Lambda's Invoke API: the path a deployed function takes (signed, not checked).
      let endpoint = "";
      const app = createEverythingApp({
        taskDispatch: (job) =>
          invokeSelf({
            endpoint,
            functionName: "portico-local",
            region: "us-east-1",
            credentials: { accessKeyId: "local", secretAccessKey: "local" },
          })(job),
      });
      const server = await serveLambda(wrap(app), { port: 0, kind: "v2", timeoutMs: 900_000 });
      endpoint = server.url;
      return {
        url: `${server.url}${MCP_PATH}`,
        async stop() {
          await server.close();
          // Cancelled tasks end at once; nothing should be left, but never wait long for it.
          await Promise.race([server.idle(), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
          app.close();
        },
      };
    },
  };
  if (baselineDir !== undefined) target.baselineDir = baselineDir;
  return target;
}

/** Every target the suite runs against. Add adapters here. */
export const TARGETS: Target[] = [
  node,
  // Function URL with RESPONSE_STREAM: everything, streams included.
  lambda("lambda-stream", (app) => streamHandle(app)),
  // HTTP API (payload 2.0), buffered: scenarios that need a stream are baselined with reasons.
  lambda("lambda-buffered", (app) => handle(app), "lambda-buffered"),
  // vercel dev --local: vercel/api/mcp.mjs, Web named exports, a fresh process per request.
  vercel,
  // vercel dev --local: vercel-server/server.mjs, a zero-config Node.js server in one process.
  vercelServer,
  // wrangler dev: workers/index.ts, a module worker with the Durable Object stores.
  workers,
];

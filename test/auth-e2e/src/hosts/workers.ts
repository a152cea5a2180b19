/**
 * The notes server as a module worker (../../worker/index.ts) in workerd under real `wrangler dev`
 * (devWorker of @portico/adapter-workers/dev), on 127.0.0.1. The Worker gets its resource URI, the
 * issuer, the JWKS URL and its state secret as vars, and fetches the key set from the local authorization server
 * over 127.0.0.1 itself. The resource URI names the port, so a free port is picked first.
 */
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { devWorker } from "@portico/adapter-workers/dev";
import { MCP_PATH } from "../notes-server.ts";
import { freePort } from "./free-port.ts";
import type { Host } from "./host.ts";

const config = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "worker", "wrangler.jsonc");

export const workersHost: Host = {
  name: "workers",
  keys: "jwksUrl from the Worker's vars",
  async start({ issuer, jwksUrl }) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}${MCP_PATH}`;
    const worker = await devWorker(config, {
      port,
      vars: {
        MCP_RESOURCE: url,
        OAUTH_ISSUER: issuer,
        OAUTH_JWKS_URL: jwksUrl,
        MCP_STATE_SECRET: randomBytes(32).toString("base64url"),
      },
      // The workspace packages are bundled from their TypeScript sources.
      conditions: ["@portico/source", "workerd", "worker", "browser"],
    });
    if (worker.url.port !== String(port)) {
      await worker.stop();
      throw new Error(`wrangler dev listens on ${worker.url.href}, not on port ${port}`);
    }
    return { url, stop: () => worker.stop() };
  },
};

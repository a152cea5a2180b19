/**
 * Where the suite runs: one entry per adapter mounting the everything server. Each `start()`
 * brings a server up on 127.0.0.1 with a free port and returns the MCP endpoint URL.
 */
import { serve } from "@portico/adapter-node";
import { createEverythingApp, MCP_PATH } from "./app.ts";

export interface RunningTarget {
  url: string;
  stop(): Promise<void>;
}

export interface Target {
  name: string;
  start(): Promise<RunningTarget>;
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

/** Every target the suite runs against. Add adapters here. */
export const TARGETS: Target[] = [node];

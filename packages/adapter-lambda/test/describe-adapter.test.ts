import { describeAdapter } from "@portico/test-kit";
import { installAwslambda, serveLambda } from "../src/dev/index.ts";
import { handle, streamHandle } from "../src/index.ts";

installAwslambda();

// Each front door through the local dev server: HTTP requests become real-shaped events.
describeAdapter("lambda streamHandle (Function URL, RESPONSE_STREAM)", async (app) => {
  const server = await serveLambda(streamHandle(app), { port: 0, kind: "v2" });
  return { url: `${server.url}/mcp`, close: server.close };
});

describeAdapter(
  "lambda handle (HTTP API, payload 2.0)",
  async (app) => {
    const server = await serveLambda(handle(app), { port: 0, kind: "v2" });
    return { url: `${server.url}/mcp`, close: server.close };
  },
  { canStream: false },
);

describeAdapter(
  "lambda handle (REST API, payload 1.0)",
  async (app) => {
    const server = await serveLambda(handle(app), { port: 0, kind: "v1" });
    return { url: `${server.url}/mcp`, close: server.close };
  },
  { canStream: false },
);

describeAdapter(
  "lambda handle (ALB, multi-value headers)",
  async (app) => {
    const server = await serveLambda(handle(app), { port: 0, kind: "alb", multiValue: true });
    return { url: `${server.url}/mcp`, close: server.close };
  },
  { canStream: false },
);

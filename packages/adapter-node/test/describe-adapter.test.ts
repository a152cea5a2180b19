import { describeAdapter } from "@portico/test-kit";
import { serve } from "../src/index.ts";

describeAdapter("node (serve)", async (app) => {
  const server = await serve(app, { port: 0, hostname: "127.0.0.1" });
  return { url: `${server.url}/mcp`, close: () => server.close() };
});

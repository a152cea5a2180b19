/**
 * A server child for (i): `node observed-server.ts <plain|off|silent|logs|logs+metrics|all>` serves the
 * `add` app, plain or with `@portico/observe`, through Portico's Node adapter on 127.0.0.1 (a port
 * the OS picks). Prints `{"url": ...}` once listening; runs until SIGTERM.
 */
import { serve } from "@portico/adapter-node";
import { ready } from "./_ready.ts";
import { portico } from "./apps/portico.ts";
import { type Observed, porticoObserved } from "./apps/portico-observed.ts";

const variant = process.argv[2] as "plain" | Observed;
const handler = variant === "plain" ? portico() : porticoObserved(variant);
const server = await serve(handler, { port: 0, hostname: "127.0.0.1", gracefulTimeoutMs: 500 });
ready(`${server.url}/mcp`, () => process.exit(0));

/** The Node entry's app on adapter-node (127.0.0.1, a free port): REST and MCP on one server. */
import { type Server, serve } from "@portico/adapter-node";
import { afterAll, beforeAll, it } from "vitest";
import { createApp } from "../src/app.ts";
import { booksScenario } from "./_scenario.ts";

let http: Server;
beforeAll(async () => {
  http = await serve(await createApp(), { port: 0, hostname: "127.0.0.1" });
});
afterAll(() => http?.close());

it("serves the Books API and its MCP face on Node", async () => {
  await booksScenario(new URL(http.url));
});

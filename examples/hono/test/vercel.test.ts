/** The Vercel entry's Web-signature exports, called in process as the Node.js runtime calls them. */
import { it } from "vitest";
import * as route from "../api/[[...path]].ts";
import { booksScenario } from "./_scenario.ts";

it("serves the Books API and its MCP face as a Vercel Function", async () => {
  const methods: Record<string, (request: Request) => Promise<Response> | Response> = {
    GET: route.GET,
    POST: route.POST,
    DELETE: route.DELETE,
    OPTIONS: route.OPTIONS,
  };
  await booksScenario(new URL("http://127.0.0.1"), async (input, init) => {
    const request = new Request(input, init);
    const method = methods[request.method];
    if (method === undefined) return new Response(null, { status: 405 });
    return method(request);
  });
});

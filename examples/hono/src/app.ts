/**
 * One fetch app with both faces: `/mcp` is the MCP server whose tools are the REST API's
 * operations, every other path is the REST API itself. The tools call the Hono app in process
 * (`fetch: app.fetch`): no network hop, no second deployment. Every runtime entry (node.ts,
 * lambda.ts, worker.ts, api/[[...path]].ts) serves an app made here.
 */
import { createHandler, McpServer, memoryStores, type Stores } from "@portico/core";
import { fromOpenAPI } from "@portico/openapi";
import { booksApi, booksDocument } from "./books.ts";
import { storeShelf } from "./shelf.ts";

export interface AppOptions {
  /**
   * Where the books (shelf.ts) and the MCP handler's legacy sessions live. Default: this process's
   * memory, which serves one long-lived process. Where many processes serve (Vercel, `vercel dev`),
   * stores they all share.
   */
  stores?: Stores | undefined;
  /** The MCP handler's requestState secret. Default: `PORTICO_SECRET`, when there is a `process`. */
  secret?: string | undefined;
}

export async function createApp(options: AppOptions = {}) {
  const stores = options.stores ?? memoryStores();
  const books = booksApi(storeShelf(stores.sessions));
  const server = new McpServer({ name: "books", version: "1.0.0" });
  await fromOpenAPI(server, booksDocument(books), {
    // The tools' requests never leave the process: this origin only names them.
    baseUrl: "http://books.internal",
    fetch: (request) => books.fetch(request),
  });
  // The same secret on every instance (PORTICO_SECRET; Workers without nodejs_compat have no `process`).
  const secret = options.secret ?? (typeof process === "undefined" ? undefined : process.env.PORTICO_SECRET);
  const mcp = createHandler(server, { stores, ...(secret ? { secret } : {}) });

  return {
    fetch(
      request: Request,
      env?: unknown,
      ctx?: Parameters<typeof mcp.fetch>[2],
    ): Response | Promise<Response> {
      if (new URL(request.url).pathname === "/mcp") return mcp.fetch(request, env, ctx);
      return books.fetch(request, env as object | undefined);
    },
  };
}

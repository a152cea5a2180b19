/** A handler over given stores with guarded tools, and a modern-era caller for it. */
import {
  type AuthInfo,
  addResource,
  addTool,
  createHandler,
  type HandlerOptions,
  type McpHandler,
  McpServer,
  type Middleware,
  memoryStores,
  type Stores,
} from "@portico/core";
import { type JsonRpcMessage, modernPost, readJsonRpc } from "@portico/test-kit";

export const URL_ = "http://127.0.0.1/mcp";

/** What a test server's tools did. */
export interface Runs {
  /** Every run of `pay`, in order: its arguments. */
  pay: Record<string, unknown>[];
  /** Every run of `remove`. */
  remove: Record<string, unknown>[];
}

export interface TestServer {
  server: McpServer;
  handler: McpHandler;
  stores: Stores;
  runs: Runs;
}

/**
 * `echo` (read-only), `pay` (side effect, `use` given per test, takes `delayMs`; `fail: true` gives
 * an error result; `crash: true` throws), `remove` (destructive), a resource `note://a`.
 */
export function testServer(
  options: {
    use?: Middleware[];
    payUse?: Middleware[];
    stores?: Stores;
    handler?: Partial<HandlerOptions>;
  } = {},
): TestServer {
  const runs: Runs = { pay: [], remove: [] };
  const server = new McpServer({ name: "guarded", version: "1.0.0" });
  if (options.use) server.use(...options.use);
  addTool(server, "echo", { annotations: { readOnlyHint: true } }, () => "echo");
  addTool(
    server,
    "pay",
    { title: "Pay an invoice", annotations: { readOnlyHint: false }, use: options.payUse ?? [] },
    async (args: Record<string, unknown>, ctx) => {
      runs.pay.push(args);
      if (typeof args.delayMs === "number") await new Promise((r) => setTimeout(r, args.delayMs as number));
      if (args.crash === true) throw new Error("the payment provider crashed");
      if (args.fail === true) return { content: [{ type: "text", text: "card declined" }], isError: true };
      return {
        content: [{ type: "text", text: `paid ${args.amount} (run ${runs.pay.length})` }],
        structuredContent: { run: runs.pay.length, era: ctx.era },
      };
    },
  );
  addTool(
    server,
    "remove",
    { annotations: { destructiveHint: true } },
    async (args: Record<string, unknown>) => {
      runs.remove.push(args);
      return `removed ${args.path}`;
    },
  );
  addResource(server, "note://a", { name: "note" }, () => ({
    contents: [{ uri: "note://a", text: "a note" }],
  }));
  const stores = options.stores ?? memoryStores();
  const handler = createHandler(server, {
    stores,
    secret: "guard-tests-secret-with-enough-bytes",
    allowedHosts: ["127.0.0.1"],
    ...options.handler,
  });
  return { server, handler, stores, runs };
}

/** Who a request comes from. */
export interface From {
  subject?: string;
  address?: string;
}

/** One modern-era request; resolves its JSON-RPC answer (the last message). */
export async function modern(
  handler: McpHandler,
  method: string,
  params: Record<string, unknown>,
  from: From = {},
  clientCapabilities: Record<string, unknown> = {},
): Promise<JsonRpcMessage> {
  const authInfo: AuthInfo | undefined =
    from.subject === undefined ? undefined : { token: "t", clientId: "c", scopes: [], subject: from.subject };
  const ctx = { ...(authInfo ? { authInfo } : {}), ...(from.address ? { clientAddress: from.address } : {}) };
  const response = await handler.fetch(modernPost(URL_, method, params, { clientCapabilities }), {}, ctx);
  const messages = await readJsonRpc(response);
  const last = messages.at(-1);
  if (last === undefined) throw new Error(`no answer (HTTP ${response.status})`);
  return last;
}

/** A `tools/call` in the modern era. */
export function callTool(
  handler: McpHandler,
  name: string,
  args: Record<string, unknown>,
  from: From = {},
  extra: Record<string, unknown> = {},
  clientCapabilities: Record<string, unknown> = {},
): Promise<JsonRpcMessage> {
  return modern(handler, "tools/call", { name, arguments: args, ...extra }, from, clientCapabilities);
}

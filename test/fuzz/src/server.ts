/**
 * The one server every adapter is fuzzed with: tools with valibot and JSON Schema inputs (one with
 * `x-mcp-header` mirrored arguments), a tool that asks for input (MRTR in the modern era, an
 * `elicitation/create` round trip in the legacy era), a progress tool, a tool that crashes with a
 * path and stack frames in its error (which must never reach a client), a scoped tool, fixed
 * resources and a template, and a prompt with completions. Lists have a page size of 2, so cursors
 * are real. No Node API here: the same module is bundled into the Worker of `worker/`.
 */
import {
  type AuthInfo,
  addPrompt,
  addResource,
  addResourceTemplate,
  addTool,
  createHandler,
  type HandlerOptions,
  jsonSchema,
  McpError,
  type McpHandler,
  McpServer,
  ToolError,
} from "@portico/core";
import * as v from "valibot";

/** The HMAC secret of `requestState` (fixed, so every instance and every run agree). */
export const FUZZ_SECRET = "fuzz-secret-0123456789abcdef0123456789abcdef";
/** A Host the handler accepts besides the localhost names. */
export const ALLOWED_HOST = "mcp.example.com";
/** An Origin the handler accepts (and answers with CORS). */
export const ALLOWED_ORIGIN = "https://app.example.com";
/** How long a legacy server→client request waits for its reply: short, so abandoned waits end soon. */
export const REPLY_TIMEOUT_MS = 1_500;

/** Bearer tokens the fuzz authenticator knows (anything else is anonymous). */
export const TOKENS = {
  /** A caller with the `read` scope. */
  reader: "fuzz-reader-token",
  /** A caller with `read` and `admin`. */
  admin: "fuzz-admin-token",
  /** Refused with a 401 challenge. */
  revoked: "fuzz-revoked-token",
} as const;

/**
 * The text the `explode` tool throws: a file path, stack frames and a Node error message. None of
 * it may appear in any answer (tool crashes become a safe `isError` result).
 */
export const EXPLOSION =
  "TypeError: Cannot read properties of undefined (reading 'secret') at /work/secret/internal.ts:12:3\n" +
  "    at Object.explode (/work/main/node_modules/.pnpm/secret/index.js:1:1)";

export function createFuzzServer(): McpServer {
  const server = new McpServer({
    name: "fuzz",
    version: "1.0.0",
    instructions: "A server for hostile-input fuzzing.",
    pageSize: 2,
  });

  // A pass-through middleware, so every call goes through the chain.
  server.use(async (_call, next) => next());

  addTool(
    server,
    "add",
    {
      description: "Adds two numbers (valibot input and output).",
      input: v.object({ a: v.number(), b: v.number() }),
      output: v.object({ sum: v.number() }),
      annotations: { readOnlyHint: true },
    },
    ({ a, b }) => ({ content: [{ type: "text", text: String(a + b) }], structuredContent: { sum: a + b } }),
  );

  addTool(
    server,
    "search",
    {
      description: "A valibot schema with nesting, unions, pipes and a mirrored header argument.",
      input: v.object({
        query: v.pipe(v.string(), v.maxLength(2000), v.metadata({ "x-mcp-header": "Query" })),
        limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(50))),
        filters: v.optional(
          v.array(
            v.variant("kind", [
              v.object({ kind: v.literal("tag"), tag: v.string() }),
              v.object({ kind: v.literal("range"), from: v.number(), to: v.number() }),
            ]),
          ),
        ),
        mode: v.optional(v.picklist(["fast", "exact"])),
      }),
    },
    ({ query, limit }) => `searched ${JSON.stringify(query).slice(0, 100)} (${limit ?? 10})`,
  );

  addTool(
    server,
    "echo",
    {
      description: "A JSON Schema input with a mirrored header argument.",
      input: jsonSchema<{ text: string; region?: string; tags?: string[]; count?: number }>({
        type: "object",
        properties: {
          text: { type: "string", maxLength: 100_000 },
          region: { type: "string", "x-mcp-header": "Region" },
          tags: { type: "array", items: { type: "string" }, maxItems: 100, uniqueItems: true },
          count: { type: "integer", minimum: 0, multipleOf: 1 },
        },
        required: ["text"],
        additionalProperties: false,
      }),
    },
    ({ text }) => text.slice(0, 1000),
  );

  addTool(
    server,
    "recursive",
    {
      description: "A JSON Schema with $ref recursion.",
      input: jsonSchema<{ node: unknown }>({
        type: "object",
        $defs: {
          node: {
            type: "object",
            properties: {
              value: { type: "number" },
              children: { type: "array", items: { $ref: "#/$defs/node" } },
            },
          },
        },
        properties: { node: { $ref: "#/$defs/node" } },
        required: ["node"],
      }),
    },
    () => "ok",
  );

  addTool(
    server,
    "confirm",
    {
      description: "Asks the user (MRTR in 2026-07-28, elicitation/create before).",
      input: v.object({ action: v.string() }),
    },
    async ({ action }, ctx) => {
      const answer = await ctx.elicit({
        message: `Really ${action.slice(0, 50)}?`,
        requestedSchema: { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] },
      });
      return `confirm ${action.slice(0, 50)}: ${answer.action} ${JSON.stringify(answer.content ?? null).slice(0, 100)}`;
    },
  );

  addTool(
    server,
    "gather",
    {
      description: "Asks for several inputs at once (elicitation and roots).",
      input: v.object({}),
    },
    async (_args, ctx) => {
      const got = await ctx.inputs({
        name: {
          method: "elicitation/create",
          params: {
            message: "Name?",
            requestedSchema: { type: "object", properties: { name: { type: "string" } } },
          },
        },
        roots: { method: "roots/list" },
      });
      return JSON.stringify(got).slice(0, 500);
    },
  );

  addTool(
    server,
    "progress",
    {
      description: "Reports progress and logs, then answers.",
      input: v.object({ steps: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(5))) }),
    },
    async ({ steps = 3 }, ctx) => {
      for (let i = 1; i <= steps; i++) {
        await ctx.progress(i, steps, `step ${i}`);
        await ctx.log("info", { step: i });
      }
      return "progressed";
    },
  );

  addTool(server, "explode", { description: "Crashes with a path and a stack in its error." }, () => {
    const error = new TypeError(EXPLOSION);
    error.stack = `${EXPLOSION}\n    at Object.<anonymous> (/work/main/test/fuzz/src/server.ts:1:1)`;
    throw error;
  });

  addTool(server, "refuse", { description: "Fails the way a tool means to." }, () => {
    throw new ToolError("refused on purpose");
  });

  addTool(server, "touch", { description: "Notifies subscribers of docs://readme." }, () => {
    server.resourceUpdated("docs://readme");
    return "touched";
  });

  addTool(server, "admin_only", { description: "Needs the admin scope.", scopes: ["admin"] }, () => "admin");

  addResource(server, "docs://readme", { name: "readme", mimeType: "text/plain" }, (uri) => [
    { uri, mimeType: "text/plain", text: "Read me." },
  ]);
  addResource(server, "docs://logo", { name: "logo", mimeType: "image/png" }, (uri) => [
    { uri, mimeType: "image/png", blob: "iVBORw0KGgo=" },
  ]);
  addResource(server, "docs://secret", { name: "secret", scopes: ["admin"] }, (uri) => [
    { uri, text: "secret" },
  ]);
  addResourceTemplate(
    server,
    "notes://{id}",
    {
      name: "note",
      complete: { id: (value) => ["1", "2", "10", "42"].filter((id) => id.startsWith(value)) },
      list: () => [
        { uri: "notes://1", name: "note 1" },
        { uri: "notes://2", name: "note 2" },
      ],
    },
    (uri, { id }) => {
      if (id === "missing") throw new McpError(-32002, `Resource not found: ${uri}`);
      if (id === "crash") throw new Error(EXPLOSION);
      return [{ uri, text: `note ${String(id).slice(0, 100)}` }];
    },
  );

  addPrompt(
    server,
    "review",
    {
      description: "Reviews code.",
      arguments: [{ name: "code", required: true }, { name: "tone" }],
      complete: { tone: (value) => ["terse", "friendly"].filter((t) => t.startsWith(value)) },
    },
    ({ code, tone }) => ({
      messages: [
        {
          role: "user",
          content: { type: "text", text: `Review (${tone ?? "plain"}): ${code.slice(0, 1000)}` },
        },
      ],
    }),
  );

  return server;
}

/** The fuzz authenticator: two known tokens, one refused with 401, every other caller anonymous. */
export function fuzzAuthenticate(request: Request): AuthInfo | Response | undefined {
  const header = request.headers.get("authorization");
  if (header === null) return undefined;
  const match = /^Bearer ([!-~]+)$/i.exec(header.trim());
  if (match === null) return undefined;
  const token = match[1];
  if (token === TOKENS.reader) return { token, subject: "reader", clientId: "fuzz", scopes: ["read"] };
  if (token === TOKENS.admin) return { token, subject: "admin", clientId: "fuzz", scopes: ["read", "admin"] };
  if (token === TOKENS.revoked) {
    return new Response(JSON.stringify({ error: "invalid_token" }), {
      status: 401,
      headers: {
        "content-type": "application/json",
        "www-authenticate": 'Bearer error="invalid_token", error_description="revoked"',
      },
    });
  }
  return undefined;
}

/** The handler options every adapter's handler is built with (`onError` added by the caller). */
export function fuzzHandlerOptions(onError?: HandlerOptions["onError"]): HandlerOptions {
  const options: HandlerOptions = {
    secret: FUZZ_SECRET,
    allowedHosts: [ALLOWED_HOST],
    allowedOrigins: [ALLOWED_ORIGIN],
    replyTimeoutMs: REPLY_TIMEOUT_MS,
    authenticate: fuzzAuthenticate,
  };
  if (onError !== undefined) options.onError = onError;
  return options;
}

/** The fuzz server behind `createHandler`. */
export function createFuzzHandler(onError?: HandlerOptions["onError"]): McpHandler {
  return createHandler(createFuzzServer(), fuzzHandlerOptions(onError));
}

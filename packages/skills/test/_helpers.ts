/** Test helpers: skill fixtures, a handler over a server with skills, and callers of both eras. */
import { createHandler, type McpHandler, McpServer, type Stores } from "@portico/core";
import {
  initializeBody,
  initializedBody,
  type JsonRpcMessage,
  legacyPost,
  modernAnswer,
  readJsonRpc,
} from "@portico/test-kit";
import type { SkillDefinition } from "../src/index.ts";

export const URL_ = "http://127.0.0.1/mcp";

export function skillMd(name: string, description = `The ${name} skill`, extra = ""): string {
  return `---\nname: ${name}\ndescription: ${description}\n${extra}---\n\n# ${name}\n\nDo the thing.\n`;
}

export const PDF: SkillDefinition = {
  path: "pdf-processing",
  files: {
    "SKILL.md": skillMd(
      "pdf-processing",
      "Extract, fill, and assemble PDF documents",
      'metadata:\n  version: "2.1.0"\n',
    ),
    "references/FORMS.md": "# Forms\n\nFill them in.\n",
    "templates/regional/eu-invoice.md": "# EU invoice\n",
    "assets/logo.png": new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]),
  },
};

export function skill(path: string, files: Record<string, string | Uint8Array> = {}): SkillDefinition {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return { path, files: { "SKILL.md": skillMd(name), ...files } };
}

export function testServer(): McpServer {
  return new McpServer({ name: "skills-test", version: "1.0.0" });
}

export function testHandler(server: McpServer, stores?: Stores): McpHandler {
  return createHandler(server, {
    ...(stores && { stores }),
    secret: "skills-tests-secret-with-enough-bytes",
    allowedHosts: ["127.0.0.1"],
    onError: () => {},
  });
}

let nextId = 1;

/** One modern-era (2026-07-28) request; resolves its JSON-RPC answer. */
export function modern(
  handler: McpHandler,
  method: string,
  params: Record<string, unknown> = {},
): Promise<JsonRpcMessage> {
  return modernAnswer((request) => handler.fetch(request), URL_, method, params);
}

/** A legacy-era (2025-11-25) session: `call(method, params)` resolves the JSON-RPC answer. */
export async function legacySession(handler: McpHandler): Promise<{
  initialize: JsonRpcMessage;
  call(method: string, params?: Record<string, unknown>): Promise<JsonRpcMessage>;
}> {
  const init = await handler.fetch(legacyPost(URL_, initializeBody(nextId++)));
  const sessionId = init.headers.get("mcp-session-id");
  if (sessionId === null) throw new Error(`no session (HTTP ${init.status})`);
  const initialize = (await readJsonRpc(init)).at(-1) as JsonRpcMessage;
  const options = { sessionId, protocolVersion: "2025-11-25" };
  await handler.fetch(legacyPost(URL_, initializedBody(), options));
  return {
    initialize,
    async call(method, params = {}) {
      const response = await handler.fetch(
        legacyPost(URL_, { jsonrpc: "2.0", id: nextId++, method, params }, options),
      );
      const last = (await readJsonRpc(response)).at(-1);
      if (last === undefined) throw new Error(`no answer (HTTP ${response.status})`);
      return last;
    },
  };
}

/** Polls `probe` until it holds (or throws its last failure after `timeoutMs`). */
export async function eventually(probe: () => Promise<void> | void, timeoutMs = 3_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

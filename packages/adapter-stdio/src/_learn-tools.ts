/**
 * Learning a tool's `x-mcp-header` marks when the handler says a `tools/call` lacks (or got wrong)
 * an `Mcp-Param-*` header: the adapter lists the tools itself, with the envelope of the call that
 * needed them, and the call is sent again. The handler checks headers before it runs the tool, so
 * the refused attempt ran nothing.
 */
import { type Answer, discardAnswer, openAnswer } from "./_answer.ts";
import { type Connection, POST_HEADERS } from "./_connection.ts";
import { jsonRpcErrorOf } from "./_errors.ts";
import { isObject, type JsonObject, modernHeaders, paramsOf } from "./_headers.ts";

const HEADER_MISMATCH = -32020;
/** Pages of tools read at most (a cursor loop cannot run forever). */
const MAX_PAGES = 100;

/** Whether `answer` refuses a call for a missing or mismatched `Mcp-Param-*` header. */
export function mirrorsParams(answer: Answer): boolean {
  if (answer.kind !== "json" || answer.status !== 400) return false;
  const error = jsonRpcErrorOf(answer.body);
  return error?.code === HEADER_MISMATCH && /mcp-param-/i.test(error.message);
}

let sequence = 0;

/** Lists every tool (all pages) into `conn.params`, with the protocol envelope of `trigger`. */
export async function learnTools(
  conn: Connection,
  trigger: JsonObject,
  version: string,
  signal: AbortSignal,
): Promise<void> {
  const meta = paramsOf(trigger)?._meta;
  // The envelope only: a progress token or other request-specific _meta stays with its request.
  const envelope = isObject(meta)
    ? Object.fromEntries(Object.entries(meta).filter(([key]) => key.startsWith("io.modelcontextprotocol/")))
    : {};
  conn.params.clear();
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const params: JsonObject = { _meta: envelope };
    if (cursor !== undefined) params.cursor = cursor;
    const message = { jsonrpc: "2.0", id: `portico-stdio-tools-${++sequence}`, method: "tools/list", params };
    const headers = { ...POST_HEADERS, ...modernHeaders(message, version) };
    const answer = await openAnswer(
      await conn.send("POST", headers, JSON.stringify(message), signal),
      signal,
    );
    const result = answer.kind === "json" && isObject(answer.body) ? answer.body.result : undefined;
    if (!isObject(result)) {
      discardAnswer(answer);
      return;
    }
    conn.params.observe(result);
    if (typeof result.nextCursor !== "string" || result.nextCursor === "") return;
    cursor = result.nextCursor;
  }
}

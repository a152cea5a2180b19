/**
 * `modernAnswer`: one 2026-07-28 request, sent through any fetch (a handler's, or the global one
 * to a server on loopback), resolved to its final JSON-RPC message — what most tests want to look at.
 */
import {
  type JsonRpcMessage,
  type JsonRpcParams,
  type ModernRequestOptions,
  modernPost,
  readJsonRpc,
} from "./requests.ts";

let nextId = 1;

/**
 * Sends `method` with `params` to `url` through `send` (ids count up unless `options.id` is given)
 * and resolves the answer's last JSON-RPC message; throws when the response carries none.
 */
export async function modernAnswer(
  send: (request: Request) => Response | Promise<Response>,
  url: string | URL,
  method: string,
  params: JsonRpcParams = {},
  options: ModernRequestOptions = {},
): Promise<JsonRpcMessage> {
  const response = await send(modernPost(url, method, params, { id: nextId++, ...options }));
  const last = (await readJsonRpc(response)).at(-1);
  if (last === undefined) throw new Error(`no answer from ${String(url)} (HTTP ${response.status})`);
  return last;
}

/**
 * Completion of proxied prompts' arguments and templates' variables: each completer sends
 * `completion/complete` upstream with the remote's own reference (its prompt name, its URI
 * template) and returns the values it answers, as the caller (its auth headers, its signal, the
 * timeout: `forward.ts`). Used when the upstream declares `completions`.
 */

import { type Completer, type CompletionContext, type HandlerContext, McpError } from "@portico/core";
import { publicMessage, UpstreamRpcError, UpstreamTransportError } from "./errors.ts";
import type { ForwardCall } from "./forward.ts";
import { asObject, type Json } from "./json.ts";
import type { ProxyLogger } from "./types.ts";

/** Makes the completers of one prompt or template: `ref` is the upstream's, `names` its arguments. */
export type CompleterFactory = (ref: Json, names: readonly string[]) => Record<string, Completer> | undefined;

export function upstreamCompleters(call: ForwardCall, logger: ProxyLogger | undefined): CompleterFactory {
  return (ref, names) => {
    if (names.length === 0) return undefined;
    const completers: Record<string, Completer> = {};
    for (const name of names) {
      const completer = async (value: string, context: CompletionContext, ctx: HandlerContext) => {
        try {
          const result = await call(
            "completion/complete",
            { ref, argument: { name, value }, context: { arguments: context.arguments } },
            ctx,
          );
          const values = asObject(result.completion).values;
          return Array.isArray(values) ? values.filter((v): v is string => typeof v === "string") : [];
        } catch (error) {
          if (error instanceof UpstreamRpcError) throw new McpError(error.code, error.message, error.data);
          if (error instanceof UpstreamTransportError) {
            logger?.warn("proxy: upstream completion/complete failed", {
              failure: error.kind,
              detail: error.message,
            });
            throw new McpError(-32603, publicMessage(error));
          }
          throw error;
        }
      };
      completers[name] = completer;
    }
    return completers;
  };
}

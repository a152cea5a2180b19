/**
 * `requireApproval`: a tool asks the user before it runs — an elicitation (`elicitation/create`)
 * over the stream in the 2025 era, an `input_required` round trip in 2026-07-28. Only an accepted
 * answer runs the tool; a declined or cancelled one, or a client that cannot ask its user (no
 * `elicitation` capability), gets a tool error result saying nothing was done. In 2026-07-28 the
 * answer comes back inside the sealed `requestState`, which the core binds to the tool, the exact
 * arguments and the caller and accepts once: an approval cannot be replayed for other arguments.
 */
import { ErrorCode, type McpCall, McpError, type Middleware } from "@portico/core";
import { canonicalText } from "./digest.ts";
import { factsOf } from "./facts.ts";
import { argumentsOf, covers, refusal, type ToolSelector, toolOf } from "./tools.ts";

/** Options for {@link requireApproval}. */
export interface ApprovalOptions {
  /** Asks only when this says so (e.g. `(args) => args.amount > 1000`). Default: always. */
  when?: (args: Record<string, unknown>, call: McpCall) => boolean | Promise<boolean>;
  /** With `server.use`: which tools need approval. Default: every tool (unless `destructive`). */
  tools?: ToolSelector;
  /**
   * With `server.use`: tools annotated `destructiveHint: true` need approval (with `tools` too:
   * either). Tools that leave the hint out are not counted: every tool would be.
   */
  destructive?: boolean;
  /** What the user is asked. Default: the tool's title or name and its arguments. */
  message?: (args: Record<string, unknown>, call: McpCall) => string;
}

/** The longest arguments text shown in the default question. */
const MAX_SHOWN = 2_000;

/** Makes the tool calls it covers wait for the user's approval. */
export function requireApproval(options: ApprovalOptions = {}): Middleware {
  return async (call, next) => {
    if (call.method !== "tools/call" || call.target === undefined || !needed(call, options)) return next();
    const args = argumentsOf(call);
    if (options.when !== undefined && !(await options.when(args, call))) return next();
    const facts = factsOf(call);
    let action: string;
    try {
      const answer = await call.ctx.elicit({
        message: options.message?.(args, call) ?? question(call, args),
        requestedSchema: { type: "object", properties: {} },
      });
      action = answer.action;
    } catch (error) {
      // No answer within the reply wait (`replyTimeoutMs`, 2025 era) while the call itself goes on:
      // the user did not approve, as when they cancel.
      if (unanswered(error, call)) return notApproved(call, "cancelled");
      if (!(error instanceof McpError && error.code === ErrorCode.MissingRequiredClientCapability))
        throw error;
      facts.approval = "unavailable";
      return refusal(
        `"${call.target}" needs the user's approval, and this client cannot ask its user (it did not declare elicitation). Nothing was done.`,
        { "portico/approval": "unavailable" },
      );
    }
    if (action === "accept") {
      facts.approval = "approved";
      return next();
    }
    return notApproved(call, action === "decline" ? "declined" : "cancelled");
  };
}

/** The refusal of an approval declined, or not given (cancelled, or never answered). */
function notApproved(call: McpCall, approval: "declined" | "cancelled") {
  factsOf(call).approval = approval;
  return refusal(
    `The user ${approval === "declined" ? "declined" : "did not approve"} "${call.target}". Nothing was done.`,
    { "portico/approval": approval },
  );
}

/**
 * Whether `error` is the end of the wait for the client's reply (a `TimeoutError`) and not of the
 * call: an aborted call (cancelled, its deadline reached) fails as such.
 */
function unanswered(error: unknown, call: McpCall): boolean {
  if (call.aborted || typeof error !== "object" || error === null) return false;
  return (error as { name?: unknown }).name === "TimeoutError";
}

function needed(call: McpCall, options: ApprovalOptions): boolean {
  const name = call.target as string;
  if (options.destructive) {
    if (toolOf(call)?.config?.annotations?.destructiveHint === true) return true;
    return options.tools !== undefined && covers(options.tools, name);
  }
  return covers(options.tools, name);
}

function question(call: McpCall, args: Record<string, unknown>): string {
  const tool = toolOf(call)?.config;
  const name = tool?.title ?? call.target;
  let shown = canonicalText(args);
  if (shown.length > MAX_SHOWN) shown = `${shown.slice(0, MAX_SHOWN)}…`;
  return `Allow "${name}" to run with these arguments?\n${shown}`;
}

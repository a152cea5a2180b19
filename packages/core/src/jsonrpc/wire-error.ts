/** Turns whatever a handler threw into a JSON-RPC error message that leaks nothing; never throws. */

import { ErrorCode, type ErrorReporter, McpError } from "../errors.ts";
import { writableJson } from "../util/writable-json.ts";
import { errorMessage, type JsonRpcError, type RequestId } from "./messages.ts";

export function toWireError(
  error: unknown,
  id: RequestId | null,
  report: ErrorReporter,
  where: string,
): JsonRpcError {
  const mcp = mcpErrorOf(error);
  if (mcp !== undefined) {
    if (mcp.data !== undefined && !writableJson(mcp.data)) {
      // Data that is not JSON (a BigInt, a cycle, nesting too deep) would leave the request without
      // an answer: the error goes out without it, and the operator hears why.
      report(mcp, `${where}: the error's data cannot be written as JSON`);
      return errorMessage(id, mcp.code, mcp.message);
    }
    return errorMessage(id, mcp.code, mcp.message, mcp.data);
  }
  report(error, where);
  return errorMessage(id, ErrorCode.InternalError, "Internal error");
}

/**
 * `error` if it is an {@link McpError}, else `undefined` — also for a value that cannot even be
 * looked at (a Proxy whose traps throw), so that turning it into an answer never throws.
 */
function mcpErrorOf(error: unknown): McpError | undefined {
  try {
    return error instanceof McpError ? error : undefined;
  } catch {
    return undefined;
  }
}

/** Turns whatever a handler threw into a JSON-RPC error message that leaks nothing. */

import { ErrorCode, type ErrorReporter, McpError } from "../errors.ts";
import { errorMessage, type JsonRpcError, type RequestId } from "./messages.ts";

export function toWireError(
  error: unknown,
  id: RequestId | null,
  report: ErrorReporter,
  where: string,
): JsonRpcError {
  if (error instanceof McpError) return errorMessage(id, error.code, error.message, error.data);
  report(error, where);
  return errorMessage(id, ErrorCode.InternalError, "Internal error");
}

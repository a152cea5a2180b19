/** Turns whatever a handler threw into a JSON-RPC error message that leaks nothing. */

import { ErrorCode, type ErrorReporter, McpError } from "../errors.ts";
import { writableJson } from "../util/writable-json.ts";
import { errorMessage, type JsonRpcError, type RequestId } from "./messages.ts";

export function toWireError(
  error: unknown,
  id: RequestId | null,
  report: ErrorReporter,
  where: string,
): JsonRpcError {
  if (error instanceof McpError) {
    if (error.data !== undefined && !writableJson(error.data)) {
      // Data that is not JSON (a BigInt, a cycle, nesting too deep) would leave the request without
      // an answer: the error goes out without it, and the operator hears why.
      report(error, `${where}: the error's data cannot be written as JSON`);
      return errorMessage(id, error.code, error.message);
    }
    return errorMessage(id, error.code, error.message, error.data);
  }
  report(error, where);
  return errorMessage(id, ErrorCode.InternalError, "Internal error");
}

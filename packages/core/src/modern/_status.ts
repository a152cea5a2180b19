import { ErrorCode } from "../errors.ts";

/** HTTP status of a JSON-RPC error in the modern era. */
export function statusOf(code: number): number {
  if (code === ErrorCode.MethodNotFound) return 404;
  if (
    code === ErrorCode.HeaderMismatch ||
    code === ErrorCode.MissingRequiredClientCapability ||
    code === ErrorCode.UnsupportedProtocolVersion ||
    code === ErrorCode.InvalidParams ||
    code === ErrorCode.InvalidRequest ||
    code === ErrorCode.ParseError
  ) {
    return 400;
  }
  return 200;
}

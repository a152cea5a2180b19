/** What a session does with a notification, and which method serves one of its requests. */
import type { Runtime } from "../call/runtime.ts";
import type { MethodSpec } from "../definition/method.ts";
import { ErrorCode, McpError } from "../errors.ts";
import { methodSpec } from "../methods/table.ts";
import type { LiveSession } from "./_request.ts";
import { cancelRequest } from "./_session.ts";

/** The spec of a method the legacy era serves, or throws the JSON-RPC error to answer. */
export function legacySpec(rt: Runtime, method: string): MethodSpec {
  if (method === "initialize")
    throw new McpError(ErrorCode.InvalidRequest, "The session is already initialized");
  const spec = methodSpec(rt.server, method);
  if (!spec.eras.includes("legacy"))
    throw new McpError(ErrorCode.MethodNotFound, `Method not found: ${method}`);
  return spec;
}

export async function notification(
  rt: Runtime,
  session: LiveSession,
  method: string,
  params: Record<string, unknown>,
): Promise<void> {
  if (
    method === "notifications/cancelled" &&
    (typeof params.requestId === "string" || typeof params.requestId === "number")
  ) {
    await cancelRequest(rt.stores, session.id, params.requestId);
  }
  // notifications/initialized, roots/list_changed and unknown notifications need no action.
}

/** What a session does with a notification. */
import type { Runtime } from "../call/runtime.ts";
import type { LiveSession } from "./_request.ts";
import { cancelRequest } from "./_session.ts";

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

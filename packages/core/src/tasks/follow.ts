/** `subscriptions/listen` with `notifications.taskIds` (2026-07-28): which tasks a caller may follow. */
import { principalOf } from "../auth/principal.ts";
import type { AuthInfo } from "../definition/types.ts";
import { ErrorCode } from "../errors.ts";
import { META } from "../jsonrpc/protocol.ts";
import type { SessionStore } from "../stores/types.ts";
import { declaresTasks } from "./access.ts";
import { TASKS_EXTENSION } from "./record.ts";
import { TaskRecords } from "./store.ts";

/** The most tasks one listen request may follow. */
export const MAX_FOLLOWED_TASKS = 100;

/**
 * The requested task ids the caller may follow: its own 2026-07-28 tasks (others are left out,
 * unsaid), or the error for a malformed list or a client that did not declare the extension.
 */
export async function follow(
  sessions: SessionStore,
  auth: AuthInfo | undefined,
  listen: { params?: Record<string, unknown> },
): Promise<string[] | { code: number; message: string; data?: unknown }> {
  const requested = (listen.params?.notifications as { taskIds?: unknown } | undefined)?.taskIds;
  if (!Array.isArray(requested) || !requested.every((t) => typeof t === "string")) {
    return {
      code: ErrorCode.InvalidParams,
      message: "Invalid params: /notifications/taskIds must be an array of strings",
    };
  }
  if (requested.length > MAX_FOLLOWED_TASKS) {
    return {
      code: ErrorCode.InvalidParams,
      message: `Invalid params: at most ${MAX_FOLLOWED_TASKS} taskIds per listen request`,
    };
  }
  const meta = listen.params?._meta as Record<string, unknown> | undefined;
  const capabilities = meta?.[META.clientCapabilities];
  if (
    typeof capabilities !== "object" ||
    capabilities === null ||
    !declaresTasks(capabilities as Record<string, unknown>)
  ) {
    return {
      code: ErrorCode.MissingRequiredClientCapability,
      message: `Missing required client capability: task notifications need the ${TASKS_EXTENSION} extension`,
      data: { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } },
    };
  }
  const records = new TaskRecords(sessions);
  const owner = principalOf(auth);
  const owned: string[] = [];
  for (const id of new Set(requested as string[])) {
    const record = await records.get(id);
    if (record !== undefined && record.era === "modern" && record.owner === owner) owned.push(id);
  }
  return owned;
}

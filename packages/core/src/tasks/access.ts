/** Who may use a task, and what each era's client must have declared. */
import { principalOf } from "../auth/principal.ts";
import type { McpCall } from "../definition/method.ts";
import { ErrorCode, McpError, PorticoError } from "../errors.ts";
import { callerKey } from "../http/caller-address.ts";
import { TASKS_EXTENSION } from "./record.ts";
import type { TaskSettings } from "./run.ts";

const settingsOf = new WeakMap<object, TaskSettings>();

/** Records the settings of a server's tasks. @internal */
export function setTaskSettings(server: object, settings: TaskSettings): void {
  settingsOf.set(server, settings);
}

/** The settings `enableTasks` gave `server`. @internal */
export function taskSettings(server: object): TaskSettings {
  const settings = settingsOf.get(server);
  if (settings === undefined)
    throw new PorticoError("tasks_not_enabled", "enableTasks(server) was not called");
  return settings;
}

/** Whether a 2026-07-28 request declared the tasks extension in its client capabilities. */
export function declaresTasks(capabilities: Record<string, unknown>): boolean {
  const extensions = capabilities.extensions;
  return typeof extensions === "object" && extensions !== null && TASKS_EXTENSION in extensions;
}

export function missingTasksCapability(what: string): McpError {
  return new McpError(
    ErrorCode.MissingRequiredClientCapability,
    `Missing required client capability: ${what} needs the ${TASKS_EXTENSION} extension in the request's client capabilities`,
    { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } },
  );
}

/**
 * Who may see a task: the caller's principal; an anonymous legacy caller is known by its
 * session, an anonymous modern caller only by the task id (an unguessable bearer handle).
 */
export function ownerOf(call: McpCall): string | null {
  const principal = principalOf(call.auth);
  if (principal !== null || call.era === "modern") return principal;
  return call.sessionId === undefined ? null : `session:${call.sessionId}`;
}

/**
 * Whose allowance (`maxTasksPerCaller`) a new task of `owner` counts against: the owner, except
 * for anonymous callers, whose tasks count by their address as `maxSessionsPerCaller` counts
 * sessions (`callerKey`: the address's group) — so one anonymous 2026-07-28 caller cannot use up
 * everyone's allowance, and an anonymous legacy caller gains none by opening new sessions. When
 * the platform gives no address, anonymous legacy callers count per session and anonymous
 * 2026-07-28 callers share one allowance.
 */
export function allowanceOf(call: McpCall, owner: string | null): string | null {
  return allowanceAt(owner, call.clientAddress);
}

/**
 * {@link allowanceOf} for a caller known by `owner` (a principal, a `session:` owner or `null`)
 * at `clientAddress`: what every per-caller allowance of the stores (tasks, MRTR `requestState`
 * claims) counts under.
 */
export function allowanceAt(owner: string | null, clientAddress: string | undefined): string | null {
  // A principal is JSON text (`[...]`): only a session owner starts so.
  if (owner !== null && !owner.startsWith("session:")) return owner;
  return callerKey(null, clientAddress) ?? owner;
}

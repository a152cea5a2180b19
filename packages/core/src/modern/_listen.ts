/**
 * `subscriptions/listen` (2026-07-28): a long-lived POST answered with SSE. It acknowledges the
 * honoured filter first, then forwards list changes and resource updates from the bus (so a
 * change on any instance reaches every listener), and ends with a result on shutdown.
 */

import { principalOf } from "../auth/principal.ts";
import { mayUse } from "../auth/scopes.ts";
import { Call, type EraLink } from "../call/call.ts";
import { LongStream } from "../call/long-stream.ts";
import type { Incoming, Runtime } from "../call/runtime.ts";
import type { SessionSlots } from "../call/session-slots.ts";
import type { MethodSpec } from "../definition/method.ts";
import { tasksHook } from "../definition/task-hook.ts";
import { ErrorCode, isStoreUnavailable } from "../errors.ts";
import { callerKey } from "../http/caller-address.ts";
import { RefusedError } from "../http/refused.ts";
import { jsonResponse, storeUnavailable } from "../http/responses.ts";
import { type JsonRpcRequest, type RequestId, resultMessage } from "../jsonrpc/messages.ts";
import { META } from "../jsonrpc/protocol.ts";
import { toWireError } from "../jsonrpc/wire-error.ts";
import { MAX_SUBSCRIBED_URI, MAX_SUBSCRIPTIONS, subscribable } from "../methods/resources.ts";
import { capabilitiesOf } from "../methods/table.ts";
import { taskTopic, topics } from "../stores/keys.ts";
import type { Subscription } from "../stores/types.ts";
import { isInstance } from "../util/is-instance.ts";
import { statusOf } from "./_status.ts";

interface Filter {
  /** Tasks extension: `notifications/tasks` for these tasks (the caller's own). */
  taskIds?: string[];
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

/**
 * Why `resourceSubscriptions` cannot be taken, or `undefined`: the bounds of legacy
 * `resources/subscribe` (`MAX_SUBSCRIPTIONS` URIs of at most `MAX_SUBSCRIBED_URI` characters).
 */
function subscriptionsProblem(uris: unknown): string | undefined {
  if (uris === undefined) return undefined;
  if (!Array.isArray(uris)) return "/notifications/resourceSubscriptions must be an array of strings";
  if (uris.length > MAX_SUBSCRIPTIONS) {
    return `at most ${MAX_SUBSCRIPTIONS} resourceSubscriptions per listen request (got ${uris.length})`;
  }
  for (let i = 0; i < uris.length; i++) {
    const uri: unknown = uris[i];
    if (typeof uri !== "string") return `/notifications/resourceSubscriptions/${i} must be a string`;
    if (uri.length > MAX_SUBSCRIBED_URI) {
      return `/notifications/resourceSubscriptions/${i} is longer than ${MAX_SUBSCRIBED_URI} characters`;
    }
  }
  return undefined;
}

/**
 * The part of the requested filter this server can honour: what its capabilities announce, and of
 * `resourceSubscriptions` (already bounded) each URI once that names a resource the server has and
 * the caller may use — what legacy `resources/subscribe` accepts. The others are left out of the
 * acknowledgement, which "reflects the subset the server agreed to honor".
 */
function honoured(rt: Runtime, incoming: Incoming, requested: Filter): Filter {
  const caps = capabilitiesOf(rt.server, "modern") as {
    tools?: { listChanged?: boolean };
    prompts?: { listChanged?: boolean };
    resources?: { listChanged?: boolean; subscribe?: boolean };
  };
  const out: Filter = {};
  if (requested.toolsListChanged === true && caps.tools?.listChanged) out.toolsListChanged = true;
  if (requested.promptsListChanged === true && caps.prompts?.listChanged) out.promptsListChanged = true;
  if (requested.resourcesListChanged === true && caps.resources?.listChanged) out.resourcesListChanged = true;
  if (requested.resourceSubscriptions !== undefined && caps.resources?.subscribe) {
    const uris = new Set<string>();
    for (const uri of requested.resourceSubscriptions) {
      if (uris.has(uri)) continue;
      const resource = subscribable(rt.server, uri);
      if (resource !== undefined && mayUse(incoming.auth, resource)) uris.add(uri);
    }
    out.resourceSubscriptions = [...uris];
  }
  return out;
}

/**
 * `subscriptions/listen`, opened through the server's middleware like any request (which may refuse
 * it, or rewrite its filter): the chain runs until the stream is open — its acknowledgement queued —
 * and the stream then runs on outside it. `listeners` counts the streams each caller holds open on
 * this instance (`maxListenStreamsPerCaller`); the place a stream takes is given back when it ends.
 */
export async function listen(
  rt: Runtime,
  incoming: Incoming,
  message: JsonRpcRequest,
  link: EraLink,
  listeners: SessionSlots,
): Promise<Response> {
  let opened: LongStream | undefined;
  const spec: MethodSpec = {
    eras: ["modern"],
    handler: async (call) => {
      opened = await start(rt, incoming, message.id, call.params, listeners);
      return {};
    },
  };
  const call = new Call(rt, incoming, message, spec, link);
  try {
    const result = await call.invoke();
    if (opened !== undefined) return opened.exchange.response;
    // A middleware answered without opening the stream: its result ends the request.
    return jsonResponse(resultMessage(message.id, { ...result, resultType: "complete" }));
  } catch (error) {
    opened?.abandon(); // opened, then a middleware failed the request after all
    if (isStoreUnavailable(error)) {
      call.report(error, message.method);
      return storeUnavailable(error);
    }
    const wire = toWireError(error, message.id, call.report, message.method);
    if (isInstance(error, RefusedError)) return jsonResponse(wire, error.status, error.headers);
    // A crash (the bus refusing a subscription, a middleware's own error) is a 500, as before the chain.
    const code = wire.error.code;
    return jsonResponse(wire, code === ErrorCode.InternalError ? 500 : statusOf(code));
  } finally {
    call.dispose();
  }
}

/** Checks the filter, takes the caller's place and opens the stream (giving the place back if it cannot). */
async function start(
  rt: Runtime,
  incoming: Incoming,
  id: RequestId,
  params: Record<string, unknown>,
  listeners: SessionSlots,
): Promise<LongStream> {
  const requested = (params.notifications ?? undefined) as Filter | undefined;
  if (typeof requested !== "object" || requested === null || Array.isArray(requested)) {
    throw new RefusedError(400, ErrorCode.InvalidParams, "Invalid params: /notifications must be an object");
  }
  const problem = subscriptionsProblem(requested.resourceSubscriptions);
  if (problem !== undefined)
    throw new RefusedError(400, ErrorCode.InvalidParams, `Invalid params: ${problem}`);
  const caller = Number.isFinite(listeners.limit)
    ? callerKey(principalOf(incoming.auth), incoming.host.clientAddress)
    : undefined;
  const place = caller === undefined ? undefined : listeners.take(caller);
  if (caller !== undefined && place === undefined) {
    throw new RefusedError(
      429,
      ErrorCode.InvalidRequest,
      `Too Many Requests: this caller already holds ${listeners.limit} open subscriptions/listen streams on this server; close one first`,
      { headers: { "retry-after": "5" } },
    );
  }
  try {
    return await open(rt, incoming, id, params, requested, place);
  } catch (error) {
    await place?.unsubscribe();
    throw error;
  }
}

/** Opens the stream (which gives `place` back when it ends), or throws why not. */
async function open(
  rt: Runtime,
  incoming: Incoming,
  id: RequestId,
  params: Record<string, unknown>,
  requested: Filter,
  place: Subscription | undefined,
): Promise<LongStream> {
  // The closures below keep `id`, never the request: the stream holds none of its body.
  const filter = honoured(rt, incoming, requested);
  let tasks: string[] | undefined;
  if (requested.taskIds !== undefined) {
    // The tasks extension checks the request and keeps the caller's own tasks (none without it).
    const hook = tasksHook(rt.server);
    const followed =
      hook === undefined ? [] : await hook.follow(rt.stores.sessions, incoming.auth, { params });
    if (!Array.isArray(followed))
      throw new RefusedError(400, followed.code, followed.message, { data: followed.data });
    tasks = followed;
    filter.taskIds = followed;
  }
  const subscriptionMeta = { [META.subscriptionId]: id };
  const result = {
    resultType: "complete",
    _meta: { ...subscriptionMeta, [META.serverInfo]: rt.server.info },
  };
  // Ended by the server (maxStreamMs, the host's deadline or shutdown): its completion, and a
  // `retry` hint for when to listen again, as the legacy era's long-lived streams give.
  const stream = new LongStream(rt, incoming, {}, (exchange) =>
    exchange.end({ jsonrpc: "2.0", id, result }, rt.options.retryMs),
  );
  // From here the stream holds the place: it gives it back when it ends (the client leaving or
  // stalling, maxStreamMs, the host's deadline or shutdown), or below when it fails to open.
  if (place !== undefined) stream.add(place);
  try {
    await feed(rt, stream, filter, tasks ?? [], subscriptionMeta);
  } catch (error) {
    stream.abandon();
    throw error;
  }
  return stream;
}

/** Acknowledges `filter` on `stream`, then forwards the bus events it asks for. */
async function feed(
  rt: Runtime,
  stream: LongStream,
  filter: Filter,
  tasks: string[],
  subscriptionMeta: Record<string, unknown>,
): Promise<void> {
  const send = (method: string, params: Record<string, unknown> = {}) =>
    stream.exchange
      .send({ jsonrpc: "2.0", method, params: { ...params, _meta: subscriptionMeta } })
      .catch(() => {});
  // Not awaited: the write waits for a reader, who only exists once the Response is returned (a
  // large filter fills the stream's buffer). The exchange's queue keeps it first on the stream.
  void send("notifications/subscriptions/acknowledged", { notifications: filter });
  // Looked up per update, not scanned: every resource update reaches every listener.
  const watched = new Set(filter.resourceSubscriptions);
  stream.add(
    await rt.stores.bus.subscribe(topics.broadcast, (event) => {
      const e = event as { type?: string; kind?: string; uri?: string };
      if (e.type === "list_changed") {
        const wanted =
          (e.kind === "tools" && filter.toolsListChanged) ||
          (e.kind === "prompts" && filter.promptsListChanged) ||
          (e.kind === "resources" && filter.resourcesListChanged);
        if (wanted) void send(`notifications/${e.kind}/list_changed`);
      } else if (e.type === "resource_updated" && typeof e.uri === "string" && watched.has(e.uri)) {
        void send("notifications/resources/updated", { uri: e.uri });
      }
    }),
  );
  for (const taskId of tasks) {
    stream.add(
      await rt.stores.bus.subscribe(taskTopic(taskId), (event) => {
        if ((event as { type?: unknown } | null)?.type !== "status") return;
        void tasksHook(rt.server)
          ?.detailed(rt.stores.sessions, taskId)
          .then((task) => (task === undefined ? undefined : send("notifications/tasks", task)))
          .catch((error) => rt.report(error, "subscriptions/listen"));
      }),
    );
  }
}

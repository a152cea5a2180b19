/**
 * `subscriptions/listen` (2026-07-28): a long-lived POST answered with SSE. It acknowledges the
 * honoured filter first, then forwards list changes and resource updates from the bus (so a
 * change on any instance reaches every listener), and ends with a result on shutdown.
 */

import { LongStream } from "../call/long-stream.ts";
import type { Incoming, Runtime } from "../call/runtime.ts";
import { tasksHook } from "../definition/task-hook.ts";
import { ErrorCode } from "../errors.ts";
import { httpError } from "../http/responses.ts";
import type { JsonRpcRequest } from "../jsonrpc/messages.ts";
import { META } from "../jsonrpc/protocol.ts";
import { capabilitiesOf } from "../methods/table.ts";
import { taskTopic, topics } from "../stores/keys.ts";

interface Filter {
  /** Tasks extension: `notifications/tasks` for these tasks (the caller's own). */
  taskIds?: string[];
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

/** The part of the requested filter this server can honour: what its capabilities announce. */
function honoured(rt: Runtime, requested: Filter): Filter {
  const caps = capabilitiesOf(rt.server, "modern") as {
    tools?: { listChanged?: boolean };
    prompts?: { listChanged?: boolean };
    resources?: { listChanged?: boolean; subscribe?: boolean };
  };
  const out: Filter = {};
  if (requested.toolsListChanged === true && caps.tools?.listChanged) out.toolsListChanged = true;
  if (requested.promptsListChanged === true && caps.prompts?.listChanged) out.promptsListChanged = true;
  if (requested.resourcesListChanged === true && caps.resources?.listChanged) out.resourcesListChanged = true;
  if (Array.isArray(requested.resourceSubscriptions) && caps.resources?.subscribe) {
    out.resourceSubscriptions = requested.resourceSubscriptions.filter((u) => typeof u === "string");
  }
  return out;
}

export async function listen(rt: Runtime, incoming: Incoming, message: JsonRpcRequest): Promise<Response> {
  const requested = (message.params?.notifications ?? undefined) as Filter | undefined;
  if (typeof requested !== "object" || requested === null || Array.isArray(requested)) {
    return httpError(400, ErrorCode.InvalidParams, "Invalid params: /notifications must be an object", {
      id: message.id,
    });
  }
  const filter = honoured(rt, requested);
  let tasks: string[] | undefined;
  if (requested.taskIds !== undefined) {
    // The tasks extension checks the request and keeps the caller's own tasks (none without it).
    const hook = tasksHook(rt.server);
    const followed = hook === undefined ? [] : await hook.follow(rt.stores.sessions, incoming.auth, message);
    if (!Array.isArray(followed)) {
      return httpError(400, followed.code, followed.message, { id: message.id, data: followed.data });
    }
    tasks = followed;
    filter.taskIds = followed;
  }
  const subscriptionMeta = { [META.subscriptionId]: message.id };
  const result = {
    resultType: "complete",
    _meta: { ...subscriptionMeta, [META.serverInfo]: rt.server.info },
  };
  const stream = new LongStream(rt, incoming, {}, (exchange) =>
    exchange.end({ jsonrpc: "2.0", id: message.id, result }),
  );
  const send = (method: string, params: Record<string, unknown> = {}) =>
    stream.exchange
      .send({ jsonrpc: "2.0", method, params: { ...params, _meta: subscriptionMeta } })
      .catch(() => {});
  // Not awaited: the write waits for a reader, who only exists once the Response is returned (a
  // large filter fills the stream's buffer). The exchange's queue keeps it first on the stream.
  void send("notifications/subscriptions/acknowledged", { notifications: filter });
  stream.add(
    await rt.stores.bus.subscribe(topics.broadcast, (event) => {
      const e = event as { type?: string; kind?: string; uri?: string };
      if (e.type === "list_changed") {
        const wanted =
          (e.kind === "tools" && filter.toolsListChanged) ||
          (e.kind === "prompts" && filter.promptsListChanged) ||
          (e.kind === "resources" && filter.resourcesListChanged);
        if (wanted) void send(`notifications/${e.kind}/list_changed`);
      } else if (
        e.type === "resource_updated" &&
        typeof e.uri === "string" &&
        filter.resourceSubscriptions?.includes(e.uri)
      ) {
        void send("notifications/resources/updated", { uri: e.uri });
      }
    }),
  );
  for (const taskId of tasks ?? []) {
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
  return stream.exchange.response;
}

/**
 * Tasks end to end with the official SDK clients against the quickstart on the Node adapter: its
 * `report` tool (`taskSupport: "optional"`, one section every 30 ms here) and a test-only task tool,
 * `publish`, that asks a question (elicitation) inside its task.
 *
 * - 2025-11-25 experimental tasks, v1 SDK (`@modelcontextprotocol/sdk` 1.32.2): the SDK's own task API,
 *   `client.experimental.tasks` — `callToolStream` (sends `params.task`, polls `tasks/get`, fetches
 *   `tasks/result`, and answers a question asked over that stream), `getTask`, `getTaskResult`,
 *   `listTasks`, `cancelTask`.
 * - 2026-07-28 extension `io.modelcontextprotocol/tasks` (SEP-2663), v2 SDK
 *   (`@modelcontextprotocol/client` 2.4.0). That client has no task runtime: its 2026-07-28 codec
 *   rejects a `CreateTaskResult` (`resultType: "task"`) with `UNSUPPORTED_RESULT_TYPE` in
 *   `callTool()` and in `request()` alike, so the `tools/call` that creates the task goes through the
 *   SDK's `StreamableHTTPClientTransport` used on its own as a JSON-RPC pipe (the SDK derives the
 *   `Mcp-Method` / `Mcp-Name` headers from the body). Everything after it — `tasks/get`,
 *   `tasks/update`, `tasks/cancel` — goes through `client.request(…, schema)`, which 2.4.0 accepts
 *   for these methods on a 2026-07-28 connection, stamping the `_meta` envelope (with the extension
 *   declared in the client's capabilities) and `Mcp-Name: <taskId>` itself.
 */

import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  type ClientCapabilities,
  type JSONRPCMessage,
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernTransport,
  PROTOCOL_VERSION_META_KEY,
  SdkError,
  SdkErrorCode,
} from "@modelcontextprotocol/client";
import { Client as LegacyClient } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as LegacyTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { ResponseMessage } from "@modelcontextprotocol/sdk/shared/responseMessage.js";
import {
  CallToolResultSchema,
  type ElicitRequest,
  ElicitRequestSchema,
  type Result,
} from "@modelcontextprotocol/sdk/types.js";
import { type ExecutionContextLike, type Server, serve } from "@portico/adapter-node";
import { addTool, createHandler } from "@portico/core";
import * as v from "valibot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQuickstartServer } from "../src/tools.ts";
import { step } from "./_server.ts";

const EXT = "io.modelcontextprotocol/tasks";
const RELATED_TASK = "io.modelcontextprotocol/related-task";
/** Milliseconds per report section: a 4-section report takes ~120 ms, a 600-section one ~18 s. */
const STEP_MS = 30;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface TasksServer {
  endpoint: URL;
  close(): Promise<void>;
}

/** The quickstart with short report sections, plus `publish`, a task tool that asks before it acts. */
async function startTasksServer(): Promise<TasksServer> {
  const server = createQuickstartServer({ reportStepMs: STEP_MS });
  addTool(
    server,
    "publish",
    {
      description: "Asks for a confirmation (elicitation) inside its task, then publishes.",
      input: v.object({ title: v.string() }),
      taskSupport: "optional",
    },
    async ({ title }, ctx) => {
      const answer = await ctx.elicit({
        message: `Publish "${title}"?`,
        requestedSchema: {
          type: "object",
          properties: { confirm: { type: "boolean" } },
          required: ["confirm"],
        },
      });
      return answer.action === "accept" && answer.content?.confirm === true
        ? `Published "${title}".`
        : `Kept "${title}" as a draft.`;
    },
  );
  const mcp = createHandler(server, { onError: () => {} });
  // `env` and `ctx` pass through: task runs are kept alive (and drained on close) with `waitUntil`.
  const http: Server = await serve(
    {
      fetch: (request: Request, env?: unknown, ctx?: ExecutionContextLike) => mcp.fetch(request, env, ctx),
    },
    { port: 0, hostname: "127.0.0.1", gracefulTimeoutMs: 2_000 },
  );
  return {
    endpoint: new URL(`${http.url}/mcp`),
    async close() {
      mcp.close();
      await http.close();
    },
  };
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const message of stream) out.push(message);
  return out;
}

describe("2025-11-25 experimental tasks with the v1 SDK client (client.experimental.tasks)", () => {
  let server: TasksServer;
  let client: LegacyClient;
  let transport: LegacyTransport;
  const elicitations: ElicitRequest["params"][] = [];

  beforeAll(async () => {
    server = await startTasksServer();
    client = new LegacyClient(
      { name: "tasks-legacy", version: "1.0.0" },
      { capabilities: { elicitation: {} } },
    );
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      elicitations.push(request.params);
      return { action: "accept", content: { confirm: true } };
    });
    transport = new LegacyTransport(server.endpoint);
    await client.connect(transport);
    // tools/list teaches the SDK which tools support tasks (`execution.taskSupport`): callToolStream
    // then adds `params.task` to their calls by itself.
    await client.listTools();
  });

  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  it("sees the server's tasks capability and the tools' taskSupport", async () => {
    expect(transport.protocolVersion).toBe("2025-11-25");
    expect(client.getServerCapabilities()?.tasks).toEqual({
      list: {},
      cancel: {},
      requests: { tools: { call: {} } },
    });
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    expect(byName.get("report")?.execution).toEqual({ taskSupport: "optional" });
    expect(byName.get("publish")?.execution).toEqual({ taskSupport: "optional" });
    expect(byName.get("add")?.execution).toBeUndefined();
  });

  it("runs report as a task: working, then completed, then its result; getTask, getTaskResult and listTasks agree", async () => {
    const messages = await step(
      "the report task's stream to end",
      collect(client.experimental.tasks.callToolStream({ name: "report", arguments: { sections: 4 } })),
    );
    const [created, ...rest] = messages;
    if (created?.type !== "taskCreated") throw new Error(`first message: ${JSON.stringify(created)}`);
    const { taskId } = created.task;
    expect(created.task).toMatchObject({ status: "working", pollInterval: 1000 });
    expect(created.task.ttl).toEqual(expect.any(Number));

    // The SDK polled tasks/get (every pollInterval) until the task was terminal ...
    const statuses = rest.flatMap((m) => (m.type === "taskStatus" ? [m.task.status] : []));
    expect(statuses.at(-1)).toBe("completed");
    for (const status of statuses.slice(0, -1)) expect(status).toBe("working");
    // ... then fetched the outcome with tasks/result.
    const last = rest.at(-1);
    if (last?.type !== "result") throw new Error(`last message: ${JSON.stringify(last)}`);
    expect(last.result).toMatchObject({
      content: [{ type: "text", text: "Report ready: 4 sections." }],
      structuredContent: { sections: 4 },
      _meta: { [RELATED_TASK]: { taskId } },
    });

    const task = await client.experimental.tasks.getTask(taskId);
    expect(task).toMatchObject({ taskId, status: "completed" });
    const again = await client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
    expect(again.content).toEqual([{ type: "text", text: "Report ready: 4 sections." }]);
    const { tasks } = await client.experimental.tasks.listTasks();
    expect(tasks).toContainEqual(expect.objectContaining({ taskId, status: "completed" }));
  });

  it("answers a question the task asks over tasks/result's stream (related-task), then gets its result", async () => {
    const messages = await step(
      "the publish task's stream to end",
      collect(client.experimental.tasks.callToolStream({ name: "publish", arguments: { title: "Q3" } })),
    );
    const created = messages[0];
    if (created?.type !== "taskCreated") throw new Error(`first message: ${JSON.stringify(created)}`);
    const { taskId } = created.task;
    const last = messages.at(-1);
    if (last?.type !== "result") throw new Error(`last message: ${JSON.stringify(last)}`);
    expect(last.result.content).toEqual([{ type: "text", text: 'Published "Q3".' }]);
    expect(elicitations).toHaveLength(1);
    expect(elicitations[0]).toMatchObject({
      message: 'Publish "Q3"?',
      _meta: { [RELATED_TASK]: { taskId } },
    });
  });

  it("cancels a long report: cancelTask returns it cancelled, the SDK's stream ends with the cancellation", async () => {
    const stream = client.experimental.tasks.callToolStream(
      { name: "report", arguments: { sections: 600 } },
      CallToolResultSchema,
      { task: { ttl: 60_000 } },
    );
    const first = await step("the task to be created", stream.next());
    const created = first.value as ResponseMessage<Result> | undefined;
    if (created?.type !== "taskCreated") throw new Error(`first message: ${JSON.stringify(created)}`);
    const { taskId } = created.task;
    expect(created.task).toMatchObject({ status: "working", ttl: 60_000 });

    const cancelled = await client.experimental.tasks.cancelTask(taskId);
    expect(cancelled).toMatchObject({ taskId, status: "cancelled" });

    const rest = await step(
      "the cancelled task's stream to end",
      collect({ [Symbol.asyncIterator]: () => stream }),
    );
    expect(rest.map((m) => m.type)).toEqual(["taskStatus", "error"]);
    expect(rest[0]).toMatchObject({ task: { taskId, status: "cancelled" } });
    expect(rest[1]).toMatchObject({ error: { message: expect.stringMatching(/was cancelled/) } });

    expect(await client.experimental.tasks.getTask(taskId)).toMatchObject({ status: "cancelled" });
    const { tasks } = await client.experimental.tasks.listTasks();
    expect(tasks).toContainEqual(expect.objectContaining({ taskId, status: "cancelled" }));
  });
});

// ---------------------------------------------------------------------------------------------------

/** `tasks/get` as SEP-2663 defines it (the SDK lifts `resultType: "complete"` off before validating). */
const TaskSchema = v.looseObject({
  taskId: v.string(),
  status: v.picklist(["working", "input_required", "completed", "failed", "cancelled"]),
  statusMessage: v.optional(v.string()),
  createdAt: v.string(),
  lastUpdatedAt: v.string(),
  ttlMs: v.nullable(v.number()),
  pollIntervalMs: v.optional(v.number()),
  inputRequests: v.optional(
    v.record(v.string(), v.looseObject({ method: v.string(), params: v.looseObject({}) })),
  ),
  result: v.optional(v.looseObject({ content: v.array(v.looseObject({ type: v.string() })) })),
  error: v.optional(v.looseObject({ code: v.number(), message: v.string() })),
});
type Task = v.InferOutput<typeof TaskSchema>;
/** The acknowledgement of `tasks/update` and `tasks/cancel`. */
const AckSchema = v.looseObject({});

/** What the v2 client declares: elicitation (a task may ask) and the tasks extension. */
const WITH_TASKS: ClientCapabilities = { elicitation: {}, extensions: { [EXT]: {} } };

const terminal = (task: Task) => ["completed", "failed", "cancelled"].includes(task.status);

/**
 * A JSON-RPC pipe over the SDK's own Streamable HTTP transport, for the one message the v2 Client
 * cannot carry: a `tools/call` answered with a `CreateTaskResult`. The request carries the
 * 2026-07-28 `_meta` envelope a v2 Client would attach (protocol version, client info, client
 * capabilities — the tasks extension among them, and `elicitation` for a task that asks); from it
 * the transport sets `MCP-Protocol-Version`, `Mcp-Method` and `Mcp-Name`.
 */
class RawPipe {
  readonly transport: ModernTransport;
  private nextId = 1;
  private readonly pending = new Map<number, (message: JSONRPCMessage) => void>();

  /** `capabilities`: the client capabilities to declare, as the SDK client's own envelope does. */
  constructor(
    endpoint: URL,
    private readonly capabilities: ClientCapabilities,
  ) {
    this.transport = new ModernTransport(endpoint);
    this.transport.onmessage = (message) => {
      if ("id" in message && typeof message.id === "number" && !("method" in message)) {
        this.pending.get(message.id)?.(message);
        this.pending.delete(message.id);
      }
    };
  }

  start(): Promise<void> {
    return this.transport.start();
  }

  /** Sends `tools/call`; resolves with the JSON-RPC result as the server sent it. */
  async callToolAsTask(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const answered = new Promise<JSONRPCMessage>((resolve) => this.pending.set(id, resolve));
    await this.transport.send({
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: {
        name,
        arguments: args,
        _meta: {
          [PROTOCOL_VERSION_META_KEY]: "2026-07-28",
          [CLIENT_INFO_META_KEY]: { name: "tasks-modern-raw", version: "1.0.0" },
          [CLIENT_CAPABILITIES_META_KEY]: this.capabilities,
        },
      },
    });
    const response = await step(`the answer to tools/call ${name}`, answered);
    if (!("result" in response)) throw new Error(`tools/call ${name} failed: ${JSON.stringify(response)}`);
    return response.result as Record<string, unknown>;
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}

describe("2026-07-28 tasks extension with the v2 SDK client 2.4.0", () => {
  let server: TasksServer;
  /** Declares the tasks extension in its capabilities (sent in every request's `_meta`). */
  let client: ModernClient;
  /** Declares no extension: gets ordinary results from an `optional` task tool. */
  let plain: ModernClient;
  let pipe: RawPipe;

  const modernClient = (name: string, capabilities: ConstructorParameters<typeof ModernClient>[1]) =>
    new ModernClient(
      { name, version: "1.0.0" },
      { ...capabilities, versionNegotiation: { mode: { pin: "2026-07-28" } } },
    );

  beforeAll(async () => {
    server = await startTasksServer();
    client = modernClient("tasks-modern", { capabilities: WITH_TASKS });
    plain = modernClient("tasks-modern-plain", { capabilities: { elicitation: {} } });
    await client.connect(new ModernTransport(server.endpoint));
    await plain.connect(new ModernTransport(server.endpoint));
    pipe = new RawPipe(server.endpoint, WITH_TASKS);
    await pipe.start();
  });

  afterAll(async () => {
    await pipe?.close();
    await client?.close();
    await plain?.close();
    await server?.close();
  });

  /** Polls `tasks/get` through the SDK client, every `pollIntervalMs` as the server asks, until `until`. */
  async function poll(taskId: string, until: (task: Task) => boolean, seen: Task[] = []): Promise<Task> {
    for (;;) {
      const task = await client.request({ method: "tasks/get", params: { taskId } }, TaskSchema);
      seen.push(task);
      if (until(task)) return task;
      await sleep(task.pollIntervalMs ?? 1000);
    }
  }

  it("finds the extension in server/discover's capabilities", () => {
    expect(client.getProtocolEra()).toBe("modern");
    expect(client.getServerCapabilities()?.extensions).toEqual({
      [EXT]: {},
      // The sales chart (an MCP App) declares its extension too.
      "io.modelcontextprotocol/ui": { mimeTypes: ["text/html;profile=mcp-app"] },
    });
  });

  it("without the extension, an optional task tool answers as an ordinary call", async () => {
    const result = await plain.callTool({ name: "report", arguments: { sections: 2 } });
    expect(result.content).toEqual([{ type: "text", text: "Report ready: 2 sections." }]);
    expect(result.structuredContent).toEqual({ sections: 2 });
  });

  it("with the extension, the SDK's callTool() and request() refuse the CreateTaskResult (no task runtime in 2.4.0)", async () => {
    const refused = {
      code: SdkErrorCode.UnsupportedResultType,
      data: { resultType: "task", method: "tools/call" },
    };
    const viaCallTool = client.callTool({ name: "report", arguments: { sections: 1 } });
    await expect(step("callTool to settle", viaCallTool)).rejects.toBeInstanceOf(SdkError);
    await expect(viaCallTool).rejects.toMatchObject(refused);
    const viaRequest = client.request(
      { method: "tools/call", params: { name: "report", arguments: { sections: 1 } } },
      v.looseObject({}),
    );
    await expect(step("request to settle", viaRequest)).rejects.toMatchObject(refused);
  });

  it("creates a report task, polls tasks/get from working to completed, and reads the inlined result", async () => {
    const created = await pipe.callToolAsTask("report", { sections: 4 });
    expect(created).toMatchObject({
      resultType: "task",
      status: "working",
      ttlMs: 3_600_000,
      pollIntervalMs: 1000,
    });
    const taskId = created.taskId as string;
    expect(taskId).toEqual(expect.any(String));
    for (const absent of ["content", "result", "task"]) expect(created).not.toHaveProperty(absent);

    const seen: Task[] = [];
    const done = await step("the report task to complete", poll(taskId, terminal, seen));
    for (const task of seen.slice(0, -1)) expect(task.status).toBe("working");
    expect(done).toMatchObject({
      taskId,
      status: "completed",
      result: {
        content: [{ type: "text", text: "Report ready: 4 sections." }],
        structuredContent: { sections: 4 },
      },
    });
    // The SDK lifted the wire's `resultType: "complete"` off the tasks/get result.
    expect(done).not.toHaveProperty("resultType");
  });

  it("answers the task's question with tasks/update, then reads its result", async () => {
    const created = await pipe.callToolAsTask("publish", { title: "Q4" });
    const taskId = created.taskId as string;
    const waiting = await step(
      "the task to ask its question",
      poll(taskId, (task) => task.status === "input_required" || terminal(task)),
    );
    expect(waiting.status).toBe("input_required");
    const requests = Object.entries(waiting.inputRequests ?? {});
    expect(requests).toHaveLength(1);
    const [key, request] = requests[0] as [string, { method: string; params: Record<string, unknown> }];
    expect(request).toMatchObject({ method: "elicitation/create", params: { message: 'Publish "Q4"?' } });

    const ack = await client.request(
      {
        method: "tasks/update",
        params: { taskId, inputResponses: { [key]: { action: "accept", content: { confirm: true } } } },
      },
      AckSchema,
    );
    // An empty acknowledgement (the server's `_meta` aside; the SDK lifts `resultType` off).
    expect(ack).toEqual({ _meta: expect.any(Object) });

    const done = await step("the publish task to complete", poll(taskId, terminal));
    expect(done).toMatchObject({
      status: "completed",
      result: { content: [{ type: "text", text: 'Published "Q4".' }] },
    });
  });

  it("cancels a long report with tasks/cancel: an acknowledgement, then tasks/get says cancelled", async () => {
    const created = await pipe.callToolAsTask("report", { sections: 600 });
    const taskId = created.taskId as string;
    expect(created.status).toBe("working");

    const ack = await client.request({ method: "tasks/cancel", params: { taskId } }, AckSchema);
    expect(ack).toEqual({ _meta: expect.any(Object) });

    const after = await client.request({ method: "tasks/get", params: { taskId } }, TaskSchema);
    expect(after).toMatchObject({ taskId, status: "cancelled" });
    expect(after).not.toHaveProperty("result");
    // Cancelling again is acknowledged too (the task stays cancelled).
    await client.request({ method: "tasks/cancel", params: { taskId } }, AckSchema);
    expect((await client.request({ method: "tasks/get", params: { taskId } }, TaskSchema)).status).toBe(
      "cancelled",
    );
  });
});

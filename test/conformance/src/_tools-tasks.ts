/**
 * Tools of the tasks extension scenarios (`tasks-*`): a sync-only tool, task-supporting tools that
 * sleep, fail as a tool, fail at the protocol level, ask for input inside the task (one ask, two
 * at once), and one that gathers input by MRTR before it becomes a task (`ctx.startTask()`).
 */
import {
  addTool,
  ErrorCode,
  enableTasks,
  McpError,
  type McpServer,
  type TasksOptions,
  ToolError,
} from "@portico/core";
import * as v from "valibot";
import { sleep } from "./_fixtures.ts";

const confirmForm = (message: string) => ({
  method: "elicitation/create" as const,
  params: {
    message,
    requestedSchema: {
      type: "object" as const,
      properties: { confirm: { type: "boolean" as const }, name: { type: "string" as const } },
    },
  },
});

function accepted(answer: unknown): boolean {
  return (answer as { action?: unknown } | undefined)?.action === "accept";
}

export function registerTaskTools(server: McpServer, dispatch?: TasksOptions["dispatch"]): void {
  enableTasks(server, { pollIntervalMs: 500, ...(dispatch === undefined ? {} : { dispatch }) });

  addTool(
    server,
    "greet",
    { description: "Greets by name (never a task)", input: v.object({ name: v.string() }) },
    ({ name }) => `Hello, ${name}!`,
  );

  addTool(
    server,
    "slow_compute",
    {
      description: "Sleeps `seconds` seconds, then answers (a task for clients that support tasks)",
      input: v.object({ seconds: v.number(), label: v.optional(v.string()) }),
      taskSupport: "optional",
    },
    async ({ seconds, label }, ctx) => {
      await sleep(seconds * 1000, ctx.signal);
      return `Computed ${label ?? "result"} after ${seconds} s`;
    },
  );

  addTool(
    server,
    "failing_job",
    {
      description: "Always fails as a tool (isError) after about a second; always a task",
      taskSupport: "required",
    },
    async (_args, ctx) => {
      await sleep(1000, ctx.signal);
      throw new ToolError("The job failed, as it always does");
    },
  );

  addTool(
    server,
    "protocol_error_job",
    { description: "Fails with a JSON-RPC error (the task fails)", taskSupport: "optional" },
    async (_args, ctx) => {
      await sleep(300, ctx.signal);
      throw new McpError(ErrorCode.InternalError, "The job hit a protocol-level failure");
    },
  );

  addTool(
    server,
    "confirm_delete",
    {
      description: "Asks for confirmation inside the task, then deletes (pretends to)",
      input: v.object({ filename: v.string() }),
      taskSupport: "optional",
    },
    async ({ filename }, ctx) => {
      const answer = await ctx.elicit(confirmForm(`Delete ${filename}?`).params);
      return accepted(answer) ? `Deleted ${filename}` : `Kept ${filename}`;
    },
  );

  addTool(
    server,
    "multi_input",
    { description: "Asks two questions at once inside the task", taskSupport: "optional" },
    async (_args, ctx) => {
      const answers = await ctx.inputs({
        first: confirmForm("First question"),
        second: confirmForm("Second question"),
      });
      return `Answered: first=${accepted(answers.first)}, second=${accepted(answers.second)}`;
    },
  );

  addTool(
    server,
    "test_tool_with_task",
    {
      description: "Asks for a user name (MRTR), then becomes a task that greets them",
      taskSupport: "required",
      taskStart: "handler",
    },
    async (_args, ctx) => {
      const answer = await ctx.elicit({
        message: "What is your name?",
        requestedSchema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
      });
      await ctx.startTask();
      await sleep(200, ctx.signal);
      const name = (answer.content as { name?: unknown } | undefined)?.name;
      return `Hello, ${typeof name === "string" ? name : "stranger"}! (user_name gathered before the task)`;
    },
  );
}

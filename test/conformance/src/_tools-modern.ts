/**
 * 2026-07-28 tools: MRTR (`input_required`) tools and the diagnostic tools of `server-stateless`.
 * Portico's `ctx.inputs` turns each ask into an `inputRequests` entry under the given key and
 * seals earlier answers into `requestState`, so a handler reads as straight-line code.
 */
import { addPrompt, addTool, ErrorCode, type InputRequest, McpError, type McpServer } from "@portico/core";
import { stringForm } from "./_fixtures.ts";

function field(answer: unknown, ...path: string[]): unknown {
  let value: unknown = answer;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function text(answer: unknown, ...path: string[]): string {
  const value = field(answer, ...path);
  return typeof value === "string" ? value : "unknown";
}

function rootCount(answer: unknown): number {
  const roots = field(answer, "roots");
  return Array.isArray(roots) ? roots.length : 0;
}

const elicit = (message: string, schema: Record<string, unknown>): InputRequest => ({
  method: "elicitation/create",
  params: { message, requestedSchema: schema },
});

const sample = (prompt: string, maxTokens: number): InputRequest => ({
  method: "sampling/createMessage",
  params: { messages: [{ role: "user", content: { type: "text", text: prompt } }], maxTokens },
});

const listRoots: InputRequest = { method: "roots/list", params: {} };

const CONFIRM_FORM = { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] };

export function registerMrtrTools(server: McpServer): void {
  addTool(
    server,
    "test_input_required_result_elicitation",
    { description: "MRTR: asks for the user's name (input_required with elicitation)" },
    async (_args, ctx) => {
      const { user_name } = await ctx.inputs({ user_name: elicit("What is your name?", stringForm("name")) });
      return `Hello, ${text(user_name, "content", "name")}!`;
    },
  );

  addTool(
    server,
    "test_input_required_result_sampling",
    { description: "MRTR: asks the client's model a question (input_required with sampling)" },
    async (_args, ctx) => {
      const { capital_question } = await ctx.inputs({
        capital_question: sample("What is the capital of France?", 100),
      });
      return `Sampling result: ${text(capital_question, "content", "text")}`;
    },
  );

  addTool(
    server,
    "test_input_required_result_list_roots",
    { description: "MRTR: asks for the client's roots (input_required with roots/list)" },
    async (_args, ctx) => {
      const { client_roots } = await ctx.inputs({ client_roots: listRoots });
      return `Found ${rootCount(client_roots)} root(s)`;
    },
  );

  addTool(
    server,
    "test_input_required_result_request_state",
    { description: "MRTR: input_required with requestState that must be echoed back" },
    async (_args, ctx) => {
      const { confirm } = await ctx.inputs({ confirm: elicit("Please confirm", CONFIRM_FORM) });
      return `state-ok: requestState validated (ok=${String(field(confirm, "content", "ok"))})`;
    },
  );

  addTool(
    server,
    "test_input_required_result_multiple_inputs",
    { description: "MRTR: elicitation, sampling and roots/list in one input_required result" },
    async (_args, ctx) => {
      const answers = await ctx.inputs({
        user_name: elicit("What is your name?", stringForm("name")),
        greeting: sample("Generate a greeting", 50),
        client_roots: listRoots,
      });
      const name = text(answers.user_name, "content", "name");
      const greeting = text(answers.greeting, "content", "text");
      return `Name: ${name}; Greeting: ${greeting}; Roots: ${rootCount(answers.client_roots)}`;
    },
  );

  addTool(
    server,
    "test_input_required_result_multi_round",
    { description: "MRTR: two rounds of input_required, the state evolving between them" },
    async (_args, ctx) => {
      const { step1 } = await ctx.inputs({ step1: elicit("Step 1: What is your name?", stringForm("name")) });
      const { step2 } = await ctx.inputs({
        step2: elicit("Step 2: What is your favorite color?", stringForm("color")),
      });
      return `Multi-round complete for ${text(step1, "content", "name")} who likes ${text(step2, "content", "color")}`;
    },
  );

  addTool(
    server,
    "test_input_required_result_tampered_state",
    { description: "MRTR: HMAC-sealed requestState; a tampered state is rejected" },
    async (_args, ctx) => {
      await ctx.inputs({ confirm: elicit("Please confirm", CONFIRM_FORM) });
      return "integrity-ok: state verified";
    },
  );

  addTool(
    server,
    "test_input_required_result_capabilities",
    { description: "MRTR: asks only for inputs the client declared capabilities for" },
    async (_args, ctx) => {
      const requests: Record<string, InputRequest> = {};
      if (ctx.clientCapabilities.elicitation) {
        requests.elicit_input = elicit("Elicitation input", stringForm("value"));
      }
      if (ctx.clientCapabilities.sampling) requests.sample_input = sample("Sample request", 50);
      if (Object.keys(requests).length === 0) return "No supported capabilities declared";
      const answers = await ctx.inputs(requests);
      return `capabilities-ok: received ${Object.keys(answers).join(",")}`;
    },
  );
}

export function registerDiagnosticTools(server: McpServer): void {
  addTool(
    server,
    "test_missing_capability",
    { description: "Requires the client's sampling capability (-32021 without it)" },
    (_args, ctx) => {
      if (!ctx.clientCapabilities.sampling) {
        throw new McpError(
          ErrorCode.MissingRequiredClientCapability,
          'This tool needs the client capability "sampling"',
          { requiredCapabilities: { sampling: {} } },
        );
      }
      return "Success";
    },
  );

  addTool(
    server,
    "test_streaming_elicitation",
    { description: "Streams a progress notification before its result" },
    async (_args, ctx) => {
      await ctx.progress(50, 100, "Halfway");
      return "Streaming complete";
    },
  );

  addTool(
    server,
    "test_logging_tool",
    { description: "Logs only when the request set a log level" },
    async (_args, ctx) => {
      await ctx.log("info", "Diagnostic trace logging activated");
      return "Logging evaluated";
    },
  );

  let counter = 0;
  addTool(
    server,
    "test_trigger_tool_change",
    { description: "Adds and removes a temporary tool, emitting notifications/tools/list_changed" },
    () => {
      const name = `test_temporary_tool_${++counter}`;
      addTool(server, name, { description: "Temporary tool" }, () => "temporary").remove();
      return "Tool list mutated";
    },
  );

  addTool(
    server,
    "test_trigger_prompt_change",
    { description: "Adds and removes a temporary prompt, emitting notifications/prompts/list_changed" },
    () => {
      const name = `test_temporary_prompt_${++counter}`;
      addPrompt(server, name, { description: "Temporary prompt" }, () => ({
        messages: [{ role: "user", content: { type: "text", text: "temporary" } }],
      })).remove();
      return "Prompt list mutated";
    },
  );
}

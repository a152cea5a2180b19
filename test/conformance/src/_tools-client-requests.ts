/**
 * Tools that ask the client for something (sampling, elicitation). In the legacy era these
 * become server→client requests on the response stream; in the modern era `input_required`.
 */
import { addTool, type McpServer } from "@portico/core";
import * as v from "valibot";
import { SEP1034_SCHEMA, SEP1330_SCHEMA } from "./_fixtures.ts";

function textOf(content: unknown): string | undefined {
  if (typeof content !== "object" || content === null) return undefined;
  const text = (content as { text?: unknown }).text;
  return typeof text === "string" ? text : undefined;
}

export function registerClientRequestTools(server: McpServer): void {
  addTool(
    server,
    "test_sampling",
    {
      description: "Tests server-initiated sampling (LLM completion request)",
      input: v.object({ prompt: v.pipe(v.string(), v.description("The prompt to send to the LLM")) }),
    },
    async ({ prompt }, ctx) => {
      const result = await ctx.sample({
        messages: [{ role: "user", content: { type: "text", text: prompt } }],
        maxTokens: 100,
      });
      return `LLM response: ${textOf(result.content) ?? "No response"}`;
    },
  );

  addTool(
    server,
    "test_elicitation",
    {
      description: "Tests server-initiated elicitation (user input request)",
      input: v.object({ message: v.pipe(v.string(), v.description("The message to show the user")) }),
    },
    async ({ message }, ctx) => {
      const result = await ctx.elicit({
        message,
        requestedSchema: {
          type: "object",
          properties: {
            username: { type: "string", description: "User's response" },
            email: { type: "string", description: "User's email address" },
          },
          required: ["username", "email"],
        },
      });
      return `User response: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`;
    },
  );

  addTool(
    server,
    "test_elicitation_sep1034_defaults",
    { description: "Tests elicitation with default values per SEP-1034" },
    async (_args, ctx) => {
      const result = await ctx.elicit({
        message: "Please review and update the form fields with defaults",
        requestedSchema: SEP1034_SCHEMA,
      });
      return `Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`;
    },
  );

  addTool(
    server,
    "test_elicitation_sep1330_enums",
    { description: "Tests elicitation with enum schema improvements per SEP-1330" },
    async (_args, ctx) => {
      const result = await ctx.elicit({
        message: "Please select options from the enum fields",
        requestedSchema: SEP1330_SCHEMA,
      });
      return `Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`;
    },
  );
}

/** Prompts of the everything server, including the MRTR prompt of the 2026-07-28 set. */
import { addPrompt, type McpServer } from "@portico/core";
import { PNG_BASE64, stringForm } from "./_fixtures.ts";

const ARG1_VALUES = ["hello", "help", "test-alpha", "test-beta", "world"];

export function registerPrompts(server: McpServer): void {
  addPrompt(
    server,
    "test_simple_prompt",
    { title: "Simple Test Prompt", description: "A simple prompt without arguments" },
    () => ({
      messages: [{ role: "user", content: { type: "text", text: "This is a simple prompt for testing." } }],
    }),
  );

  addPrompt(
    server,
    "test_prompt_with_arguments",
    {
      title: "Prompt With Arguments",
      description: "A prompt with required arguments",
      arguments: [
        { name: "arg1", description: "First test argument", required: true },
        { name: "arg2", description: "Second test argument", required: true },
      ],
      complete: { arg1: (value) => ARG1_VALUES.filter((v) => v.startsWith(value)) },
    },
    ({ arg1, arg2 }) => ({
      messages: [
        {
          role: "user",
          content: { type: "text", text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` },
        },
      ],
    }),
  );

  addPrompt(
    server,
    "test_prompt_with_embedded_resource",
    {
      title: "Prompt With Embedded Resource",
      description: "A prompt that includes an embedded resource",
      arguments: [{ name: "resourceUri", description: "URI of the resource to embed", required: true }],
    },
    ({ resourceUri }) => ({
      messages: [
        {
          role: "user",
          content: {
            type: "resource",
            resource: {
              uri: resourceUri ?? "test://example-resource",
              mimeType: "text/plain",
              text: "Embedded resource content for testing.",
            },
          },
        },
        { role: "user", content: { type: "text", text: "Please process the embedded resource above." } },
      ],
    }),
  );

  addPrompt(
    server,
    "test_prompt_with_image",
    { title: "Prompt With Image", description: "A prompt that includes image content" },
    () => ({
      messages: [
        { role: "user", content: { type: "image", data: PNG_BASE64, mimeType: "image/png" } },
        { role: "user", content: { type: "text", text: "Please analyze the image above." } },
      ],
    }),
  );

  addPrompt(
    server,
    "test_input_required_result_prompt",
    { description: "MRTR: prompt that requires elicitation input" },
    async (_args, ctx) => {
      const { user_context } = await ctx.inputs({
        user_context: {
          method: "elicitation/create",
          params: { message: "What context should the prompt use?", requestedSchema: stringForm("context") },
        },
      });
      const content = (user_context as { content?: { context?: unknown } } | undefined)?.content;
      const context = typeof content?.context === "string" ? content.context : "unknown";
      return {
        messages: [{ role: "user", content: { type: "text", text: `Prompt with context: ${context}` } }],
      };
    },
  );
}

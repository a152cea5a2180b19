/** Tools of the 2025-11-25 and 2026-07-28 sets that need nothing from the client. */
import { addTool, jsonSchema, type McpServer, ToolError } from "@portico/core";
import * as v from "valibot";
import { HEADER_TOOL_INPUT, JSON_SCHEMA_2020_12_INPUT, PNG_BASE64, sleep, WAV_BASE64 } from "./_fixtures.ts";

export function registerBasicTools(server: McpServer): void {
  addTool(server, "test_simple_text", { description: "Tests simple text content response" }, () => ({
    content: [{ type: "text", text: "This is a simple text response for testing." }],
  }));

  addTool(server, "test_image_content", { description: "Tests image content response" }, () => ({
    content: [{ type: "image", data: PNG_BASE64, mimeType: "image/png" }],
  }));

  addTool(server, "test_audio_content", { description: "Tests audio content response" }, () => ({
    content: [{ type: "audio", data: WAV_BASE64, mimeType: "audio/wav" }],
  }));

  addTool(
    server,
    "test_embedded_resource",
    { description: "Tests embedded resource content response" },
    () => ({
      content: [
        {
          type: "resource",
          resource: {
            uri: "test://embedded-resource",
            mimeType: "text/plain",
            text: "This is an embedded resource content.",
          },
        },
      ],
    }),
  );

  addTool(
    server,
    "test_multiple_content_types",
    { description: "Tests response with multiple content types (text, image, resource)" },
    () => ({
      content: [
        { type: "text", text: "Multiple content types test:" },
        { type: "image", data: PNG_BASE64, mimeType: "image/png" },
        {
          type: "resource",
          resource: {
            uri: "test://mixed-content-resource",
            mimeType: "application/json",
            text: JSON.stringify({ test: "data", value: 123 }),
          },
        },
      ],
    }),
  );

  addTool(
    server,
    "test_tool_with_logging",
    { description: "Tests tool that emits log messages during execution" },
    async (_args, ctx) => {
      await ctx.log("info", "Tool execution started");
      await sleep(50);
      await ctx.log("info", "Tool processing data");
      await sleep(50);
      await ctx.log("info", "Tool execution completed");
      return "Tool with logging executed successfully";
    },
  );

  addTool(
    server,
    "test_tool_with_progress",
    { description: "Tests tool that reports progress notifications" },
    async (_args, ctx) => {
      for (const step of [0, 50, 100]) {
        if (step > 0) await sleep(50);
        await ctx.progress(step, 100, `Completed step ${step} of 100`);
      }
      return "Progress reporting completed";
    },
  );

  addTool(server, "test_error_handling", { description: "Tests error response handling" }, () => {
    throw new ToolError("This tool intentionally returns an error for testing");
  });

  addTool(
    server,
    "test_reconnection",
    {
      description:
        "Tests SSE polling (SEP-1699): closes the response stream mid-call and delivers the result after the client reconnects",
    },
    async (_args, ctx) => {
      ctx.closeStream(500);
      await sleep(200);
      return "Reconnection test completed successfully. If you received this, the client properly reconnected after stream closure.";
    },
  );

  addTool(
    server,
    "json_schema_2020_12_tool",
    {
      description: "Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613)",
      input: jsonSchema(JSON_SCHEMA_2020_12_INPUT),
    },
    (args) => `JSON Schema 2020-12 tool called with: ${JSON.stringify(args)}`,
  );

  addTool(
    server,
    "test_header_param",
    {
      description: "Echoes a parameter that is mirrored in the Mcp-Param-Region header (SEP-2243)",
      input: jsonSchema(HEADER_TOOL_INPUT),
      annotations: { readOnlyHint: true },
    },
    (args) => `region=${String(args.region)}`,
  );

  addTool(
    server,
    "test_echo",
    {
      description: "Echoes its text argument",
      input: v.object({ text: v.pipe(v.string(), v.description("Text to echo")) }),
      annotations: { readOnlyHint: true, idempotentHint: true },
    },
    ({ text }) => text,
  );
}

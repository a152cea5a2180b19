/**
 * The quickstart's MCP server: written once, deployed to every target Portico supports.
 */
import { addPrompt, addResource, addTool, McpServer } from "@portico/core";
import * as v from "valibot";

export function createQuickstartServer(): McpServer {
  const server = new McpServer({ name: "portico-quickstart", version: "0.1.0" });

  addTool(
    server,
    "add",
    {
      title: "Add two numbers",
      description: "Adds two numbers and returns the sum.",
      input: v.object({ a: v.number(), b: v.number() }),
      output: v.object({ sum: v.number() }),
      annotations: { readOnlyHint: true, idempotentHint: true },
    },
    ({ a, b }) => ({ content: [{ type: "text", text: String(a + b) }], structuredContent: { sum: a + b } }),
  );

  addTool(
    server,
    "countdown",
    {
      description: "Counts down from `from` to zero, reporting progress on the way.",
      input: v.object({ from: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(20)) }),
    },
    async ({ from }, ctx) => {
      for (let i = from; i > 0; i--) {
        if (ctx.signal.aborted) break;
        await ctx.progress(from - i + 1, from, `${i}…`);
        await new Promise((r) => setTimeout(r, 100));
      }
      return "Liftoff!";
    },
  );

  addTool(
    server,
    "greet",
    { description: "Asks the user for their name (elicitation) and greets them." },
    async (_args, ctx) => {
      const answer = await ctx.elicit({
        message: "What is your name?",
        requestedSchema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
      });
      if (answer.action !== "accept") return "Maybe next time.";
      return `Hello, ${String(answer.content?.name)}!`;
    },
  );

  addResource(
    server,
    "quickstart://readme",
    { name: "readme", description: "What this server is.", mimeType: "text/plain" },
    (uri) => [{ uri, mimeType: "text/plain", text: "A Portico quickstart server." }],
  );

  addPrompt(
    server,
    "review",
    { description: "Ask for a code review.", arguments: [{ name: "code", required: true }] },
    ({ code }) => ({
      messages: [{ role: "user", content: { type: "text", text: `Please review:\n${code}` } }],
    }),
  );

  return server;
}

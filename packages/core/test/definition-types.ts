/**
 * Compile-time checks of the definition API's types (checked by `pnpm typecheck`, never run):
 * each `@ts-expect-error` fails the typecheck if the line it marks stops being an error.
 */
import * as v from "valibot";
import { addPrompt, addTool, createHandler, createModernHandler, McpServer } from "../src/index.ts";

const server = new McpServer({ name: "types", version: "1.0.0" });

// Tool arguments are typed from the input schema.
addTool(server, "add", { input: v.object({ a: v.number(), b: v.number() }) }, ({ a, b }) => String(a + b));
// @ts-expect-error: `c` is not an argument of the schema
addTool(server, "add2", { input: v.object({ a: v.number() }) }, ({ c }) => String(c));

// With an output schema, structuredContent is typed from it, and plain text is no longer a result.
const output = v.object({ sum: v.number() });
addTool(server, "sum", { input: v.object({ a: v.number() }), output }, ({ a }) => ({
  content: [],
  structuredContent: { sum: a },
}));
// @ts-expect-error: structuredContent must match the output schema
addTool(server, "sum2", { output }, () => ({ content: [], structuredContent: { total: 1 } }));
// @ts-expect-error: a tool with an output schema must return structuredContent, not just text
addTool(server, "sum3", { output }, () => "3");
// An error result may leave structuredContent out.
addTool(server, "sum4", { output }, () => ({ content: [{ type: "text", text: "no" }], isError: true }));

// Prompt arguments are typed from their declaration: required ones are strings, the others optional.
addPrompt(
  server,
  "review",
  { arguments: [{ name: "code", required: true }, { name: "tone" }], complete: { tone: () => [] } },
  ({ code, tone }) => {
    const required: string = code;
    // @ts-expect-error: an optional argument may be undefined
    const optional: string = tone;
    return { messages: [{ role: "user", content: { type: "text", text: required + String(optional) } }] };
  },
);
addPrompt(
  server,
  "typo",
  // @ts-expect-error: completions are keyed by declared argument names only
  { arguments: [{ name: "code" }], complete: { cod: () => [] } },
  () => ({ messages: [] }),
);
// @ts-expect-error: `missing` is not a declared argument
addPrompt(server, "unknown", { arguments: [{ name: "code" }] }, ({ missing }) => ({
  messages: [],
  description: missing,
}));

// Options take values read from the environment as they come (`string | undefined`) under
// `exactOptionalPropertyTypes`: an absent variable leaves the default.
declare const fromEnvironment: string | undefined;
createHandler(server, { secret: fromEnvironment, allowedHosts: undefined, cache: { ttlMs: undefined } });
createModernHandler(server, { secret: fromEnvironment, stores: undefined, onError: undefined });

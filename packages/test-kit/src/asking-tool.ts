/**
 * A tool that asks its caller for input, for tests of what happens when a handler seals an MRTR
 * `requestState` (the modern era's first round of an elicitation ends `input_required`).
 */
import { addTool, type McpServer } from "@portico/core";
import { modernPost } from "./requests.ts";

/** Adds tool `name` (default `ask`): it elicits a name, then answers `got {...}` with the reply. */
export function addAskingTool(server: McpServer, name = "ask"): void {
  addTool(server, name, { description: "Asks the caller for a name" }, async (_args, ctx) => {
    const reply = await ctx.elicit({
      message: "name?",
      requestedSchema: { type: "object", properties: { n: { type: "string" } } },
    });
    return `got ${JSON.stringify(reply.content)}`;
  });
}

/** The modern `tools/call` of that tool at `url`, from a client that can answer elicitations. */
export function askingCall(url: string | URL, headers: Record<string, string> = {}, name = "ask"): Request {
  return modernPost(
    url,
    "tools/call",
    { name, arguments: {} },
    { clientCapabilities: { elicitation: {} }, headers },
  );
}

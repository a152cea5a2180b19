/** The MCP server every adapter is exercised with by `describeAdapter`. */
import { addResource, addTool, jsonSchema, McpServer } from "@portico/core";

export interface AdapterProbe {
  /**
   * Resolves when the `wait_for_abort` tool saw its signal fire. It polls a flag the tool sets
   * instead of being settled by the tool: on Workers the tool runs in another invocation, and a
   * promise settled there would resume the test inside that invocation's I/O context.
   */
  aborted(): Promise<void>;
}

export function adapterTestServer(): { server: McpServer; probe: AdapterProbe } {
  let wasAborted = false;
  const markAborted = () => {
    wasAborted = true;
  };
  const probe: AdapterProbe = {
    async aborted() {
      while (!wasAborted) await new Promise((resolve) => setTimeout(resolve, 10));
    },
  };
  const server = new McpServer({ name: "adapter-battery", version: "1.0.0" });
  addTool(
    server,
    "add",
    {
      description: "Adds two numbers",
      input: jsonSchema({
        type: "object",
        properties: { a: { type: "number" }, b: { type: "number" } },
        required: ["a", "b"],
      }),
    },
    (args) => String(Number(args.a) + Number(args.b)),
  );
  addTool(server, "progress", { description: "Reports progress three times" }, async (_args, ctx) => {
    for (let i = 1; i <= 3; i++) {
      await ctx.progress(i, 3);
      await new Promise((r) => setTimeout(r, 30));
    }
    return "progressed";
  });
  addTool(server, "ask_name", { description: "Elicits a name" }, async (_args, ctx) => {
    const answer = await ctx.elicit({
      message: "Name?",
      requestedSchema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
    });
    return `Hello, ${String(answer.content?.name)}`;
  });
  addTool(server, "wait_for_abort", { description: "Waits until its signal fires" }, async (_args, ctx) => {
    await ctx.progress(0, 1);
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    markAborted();
    return "aborted";
  });
  addTool(server, "explode", { description: "Throws an internal error" }, () => {
    throw new Error("secret internal detail at /srv/app.js:42");
  });
  addResource(
    server,
    "test://hello",
    { name: "hello", description: "Greeting", mimeType: "text/plain" },
    (uri) => [{ uri, mimeType: "text/plain", text: "hello" }],
  );
  return { server, probe };
}

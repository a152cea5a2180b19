/** The server the observe tests run: tools that log, fail in each way, and ask for input. */
import { addTool, createHandler, type HandlerOptions, McpError, McpServer, ToolError } from "@portico/core";
import * as v from "valibot";
import { type LogRecord, type ObserveOptions, observe } from "../src/index.ts";

export const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
export const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

export function observedServer(options: ObserveOptions = {}, handlerOptions: HandlerOptions = {}) {
  const lines: LogRecord[] = [];
  const ops = observe({ sink: (record) => lines.push(record), ...options });
  const server = new McpServer({ name: "observed", version: "1.0.0" });
  server.use(ops);
  addTool(server, "add", { input: v.object({ a: v.number(), b: v.number() }) }, ({ a, b }, ctx) => {
    ctx.logger.info("adding", { a, b });
    return String(a + b);
  });
  addTool(server, "refuse", {}, () => {
    throw new ToolError("not today");
  });
  addTool(server, "crash", {}, () => {
    throw new TypeError("cannot read x of undefined");
  });
  addTool(server, "invalid", {}, () => {
    throw new McpError(-32602, "bad cursor");
  });
  addTool(server, "ask", {}, async (_args, ctx) => {
    const answer = await ctx.elicit({
      message: "name?",
      requestedSchema: { type: "object", properties: {} },
    });
    return answer.action;
  });
  addTool(server, "slow", {}, async (_args, ctx) => {
    await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true }));
    throw new Error("gave up");
  });
  const handler = createHandler(server, { onError: ops.onError, ...handlerOptions });
  return { lines, handler, ops, server };
}

/** The request lines (one per MCP request), in order. */
export const requestLines = (lines: LogRecord[]) => lines.filter((l) => l.msg === "mcp request");

/** The first `stream ended` line, waited for up to `withinMs` (a client's cancel reaches the server's stream asynchronously). */
export async function streamEnded(lines: LogRecord[], withinMs = 2000): Promise<LogRecord | undefined> {
  const deadline = Date.now() + withinMs;
  let ended = lines.find((l) => l.msg === "stream ended");
  while (ended === undefined && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    ended = lines.find((l) => l.msg === "stream ended");
  }
  return ended;
}

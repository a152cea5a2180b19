/**
 * A request's batched lines keep its invocation open: the scope hands the host's `waitUntil` a
 * promise that settles once they are written, so Lambda's `handle()` returns (and Vercel ends the
 * function) only after its lines are out, whatever the runtime does between an answer and the next
 * event.
 */
import { handle, toEvent } from "@portico/adapter-lambda";
import { addTool, createHandler, McpServer } from "@portico/core";
import { modernPost } from "@portico/test-kit";
import { describe, expect, it } from "vitest";
import { batchedWriter, jsonLines, type ObserveOptions, observe } from "../src/index.ts";

const URL_ = "http://localhost/mcp";

/** The `add` server observed through a batching writer into `written`, and its lines' messages. */
function observedAdd(options: ObserveOptions = {}) {
  const written: string[] = [];
  const ops = observe({ sink: jsonLines(batchedWriter((chunk) => written.push(chunk))), ...options });
  const server = new McpServer({ name: "held", version: "1.0.0" });
  server.use(ops);
  addTool(server, "add", {}, (_args, ctx) => {
    ctx.logger.info("adding");
    return "5";
  });
  const handler = createHandler(server, { onError: ops.onError });
  const messages = () =>
    written
      .join("")
      .split("\n")
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
  return { handler, messages };
}

const addCall = () => modernPost(URL_, "tools/call", { name: "add", arguments: {} });

describe("observe: a request's lines hold its invocation open until written", () => {
  it("hands the host's waitUntil a promise that settles once the lines are written", async () => {
    const { handler, messages } = observedAdd();
    const held: Promise<unknown>[] = [];
    const response = await handler.fetch(addCall(), undefined, { waitUntil: (p) => held.push(p) });
    expect(response.status).toBe(200);
    // Answered, the lines still batched for the end of the turn, and the host holding for them.
    expect(messages()).toEqual([]);
    expect(held).toHaveLength(1);
    await held[0];
    expect(messages()).toEqual(["adding", "mcp request"]);
  });

  it("also with request lines off: the tool's own lines", async () => {
    const { handler, messages } = observedAdd({ requests: false });
    const held: Promise<unknown>[] = [];
    await handler.fetch(addCall(), undefined, { waitUntil: (p) => held.push(p) });
    expect(held).toHaveLength(1);
    await held[0];
    expect(messages()).toEqual(["adding"]);
  });

  it("nothing to hold for when nothing is batched (at warn, a successful call writes nothing)", async () => {
    const { handler, messages } = observedAdd({ level: "warn" });
    const held: Promise<unknown>[] = [];
    await handler.fetch(addCall(), undefined, { waitUntil: (p) => held.push(p) });
    expect(held).toEqual([]);
    expect(messages()).toEqual([]);
  });

  it("Lambda's handle() returns its result only after the request's lines are written", async () => {
    const { handler, messages } = observedAdd();
    const lambda = handle(handler);
    const result = await lambda(await toEvent(addCall(), "v2"), {
      awsRequestId: "held-1",
      getRemainingTimeInMillis: () => 30_000,
    });
    // No turn has passed since the result came back: the lines were written before it.
    expect(messages()).toEqual(["adding", "mcp request"]);
    expect((result as { statusCode: number }).statusCode).toBe(200);
  });
});

/**
 * A `requestState` is bound to the request as the client sends it: a middleware that replaces the
 * arguments before the handler runs (a default filled in) does not break the client's retry, and
 * the server never issues a state longer than it takes back.
 */
import { describe, expect, it } from "vitest";
import { addTool, createHandler, McpServer } from "../src/index.ts";
import { modernRequest, read } from "./_client.ts";

const ELICITATION = { elicitation: {} };

function booking(): McpServer {
  const server = new McpServer({ name: "binding", version: "1" });
  addTool(
    server,
    "book",
    {
      use: [
        async (call, next) => {
          // Fills in a default, as the middleware docs allow before next().
          call.params = { ...call.params, arguments: { units: "metric", ...(call.params.arguments ?? {}) } };
          return next();
        },
      ],
    },
    async (args, ctx) => {
      const answer = await ctx.elicit({
        message: "Book?",
        requestedSchema: { type: "object", properties: {} },
      });
      return `${JSON.stringify(args)} ${answer.action}`;
    },
  );
  return server;
}

describe("requestState binding", () => {
  it("completes the retry of a call whose arguments a middleware replaced", async () => {
    const handler = createHandler(booking(), { secret: "s".repeat(32) });
    const params = { name: "book", arguments: { city: "Oslo" } };
    const first = await read(
      await handler.fetch(modernRequest("tools/call", params, { capabilities: ELICITATION })),
    );
    expect(first.final.result.resultType).toBe("input_required");
    const [key] = Object.keys(first.final.result.inputRequests);
    const retry = await read(
      await handler.fetch(
        modernRequest(
          "tools/call",
          {
            ...params,
            requestState: first.final.result.requestState,
            inputResponses: { [key as string]: { action: "accept" } },
          },
          { id: 2, capabilities: ELICITATION },
        ),
      ),
    );
    expect(retry.status).toBe(200);
    expect(retry.final.result.content[0].text).toBe('{"units":"metric","city":"Oslo"} accept');
  });

  it("refuses (-32602) to seal answers too large to come back, instead of issuing a state it would refuse", async () => {
    const server = new McpServer({ name: "binding", version: "1" });
    addTool(server, "essay", {}, async (_args, ctx) => {
      await ctx.elicit({ message: "Essay?", requestedSchema: { type: "object", properties: {} } });
      await ctx.elicit({ message: "Sure?", requestedSchema: { type: "object", properties: {} } });
      return "done";
    });
    const handler = createHandler(server, { secret: "s".repeat(32) });
    const params = { name: "essay", arguments: {} };
    const first = await read(
      await handler.fetch(modernRequest("tools/call", params, { capabilities: ELICITATION })),
    );
    const [key] = Object.keys(first.final.result.inputRequests);
    const essay = { action: "accept", content: { text: "y".repeat(800_000) } };
    const second = await read(
      await handler.fetch(
        modernRequest(
          "tools/call",
          {
            ...params,
            requestState: first.final.result.requestState,
            inputResponses: { [key as string]: essay },
          },
          { id: 2, capabilities: ELICITATION },
        ),
      ),
    );
    expect(second.final.error?.code).toBe(-32602);
    expect(second.final.error?.message).toMatch(
      /too large to carry in requestState \(over 1000000 characters/,
    );
  });
});

/**
 * `call.wrapInputs(wrapper)`: every server→client input round of a request passes through the
 * wrappers a middleware added (first added outermost). In the modern era the first round rejects
 * with the input-required signal (the answer is `input_required`), the retry's round resolves.
 */
import { describe, expect, it } from "vitest";
import { addTool, createHandler, McpServer } from "../src/index.ts";
import { modernRequest } from "./_client.ts";

describe("call.wrapInputs", () => {
  it("sees each round, its requests and how it ended, outermost first", async () => {
    const seen: string[] = [];
    const server = new McpServer({ name: "t", version: "1" });
    server.use(async (call, next) => {
      for (const name of ["outer", "inner"]) {
        call.wrapInputs(async (requests, ask) => {
          seen.push(`${name} asks ${Object.values(requests).map((r) => r.method)}`);
          try {
            const answers = await ask();
            seen.push(`${name} answered`);
            return answers;
          } catch (error) {
            seen.push(`${name} ${(error as Error).name}`);
            throw error;
          }
        });
      }
      return next();
    });
    addTool(server, "ask", {}, async (_args, ctx) => {
      const answer = await ctx.elicit({
        message: "name?",
        requestedSchema: { type: "object", properties: {} },
      });
      return answer.action;
    });
    const handler = createHandler(server);
    const caps = { elicitation: {} };
    const first = await (
      await handler.fetch(
        modernRequest("tools/call", { name: "ask", arguments: {} }, { id: 1, capabilities: caps }),
      )
    ).json();
    expect(first.result.resultType).toBe("input_required");
    expect(seen).toStrictEqual([
      "outer asks elicitation/create",
      "inner asks elicitation/create",
      "inner InputRequiredSignal",
      "outer InputRequiredSignal",
    ]);
    seen.length = 0;
    const [key] = Object.keys(first.result.inputRequests);
    const retry = {
      name: "ask",
      arguments: {},
      requestState: first.result.requestState,
      inputResponses: { [key as string]: { action: "accept", content: {} } },
    };
    const second = await (
      await handler.fetch(modernRequest("tools/call", retry, { id: 2, capabilities: caps }))
    ).json();
    expect(second.result.content[0].text).toBe("accept");
    expect(seen).toStrictEqual([
      "outer asks elicitation/create",
      "inner asks elicitation/create",
      "inner answered",
      "outer answered",
    ]);
  });
});

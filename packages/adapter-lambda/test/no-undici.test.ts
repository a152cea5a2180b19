/**
 * A cold start never loads undici: on Node the global `Request`, `Response` and `Headers` live in
 * undici, and touching any of them loads all of it (fetch, dispatcher, HTTP/2 — tens of
 * milliseconds of every Lambda cold start). A fresh Node process imports the adapter and the core
 * and answers buffered events of every kind (HTTP API, Function URL, REST API, ALB) in both eras;
 * neither undici nor the web streams implementation may load meanwhile. And a 2026-07-28 retry
 * whose requestState another instance sealed is checked without Node's crypto (WebCrypto's first
 * use loads all of it: 8–25 ms of a cold start).
 */
import { fileURLToPath } from "node:url";
import { addTool, createHandler, McpServer } from "@portico/core";
import { modernPost } from "@portico/test-kit";
import { coldModules, nodeStripsTypes } from "@portico/test-kit/node";
import { describe, expect, it } from "vitest";

const FIXTURE = fileURLToPath(new URL("./fixtures/first-answers.mjs", import.meta.url));
const RETRY_FIXTURE = fileURLToPath(new URL("./fixtures/mrtr-retry.mjs", import.meta.url));

type Answer = { status: number; call?: number; session?: string; sum: unknown };

describe("a Lambda cold start", () => {
  it.runIf(nodeStripsTypes)(
    "answers every buffered event kind in both eras without loading undici or web streams",
    async () => {
      const { answers, heavy } = await coldModules<Record<string, Answer>>(FIXTURE);
      expect(Object.keys(answers)).toHaveLength(7);
      for (const [name, answer] of Object.entries(answers)) {
        expect(answer.status, name).toBe(200);
        expect(answer.sum, name).toBe("5");
        if (name.endsWith("legacy")) {
          expect(answer.session, name).toBe("string");
          expect(answer.call, name).toBe(200);
        }
      }
      expect(heavy).toStrictEqual([]);
    },
  );

  it.runIf(nodeStripsTypes)(
    "answers a 2026-07-28 retry sealed by another instance without loading Node's crypto",
    async () => {
      const secret = "0123456789abcdef0123456789abcdef";
      const host = "abc123.execute-api.us-east-1.amazonaws.com";
      const sourceIp = "203.0.113.9";
      const elicits = { clientCapabilities: { elicitation: {} } };
      // Another instance (this test) answers the first round: input_required, with its sealed state.
      const server = new McpServer({ name: "cold", version: "1.0.0" });
      addTool(server, "ask", { description: "Ask" }, async (_args, ctx) => {
        const answer = await ctx.elicit({
          message: "name?",
          requestedSchema: { type: "object", properties: { n: { type: "string" } } },
        });
        return `got ${answer.content?.n}`;
      });
      const first = await createHandler(server, { secret }).fetch(
        modernPost(`https://${host}/mcp`, "tools/call", { name: "ask", arguments: {} }, elicits),
        undefined,
        { routedHosts: [host], clientAddress: sourceIp },
      );
      const round = (await first.json()) as {
        result: { resultType: string; requestState: string; inputRequests: Record<string, unknown> };
      };
      expect(round.result.resultType).toBe("input_required");
      const [key] = Object.keys(round.result.inputRequests);
      const retry = await modernPost(
        `https://${host}/mcp`,
        "tools/call",
        {
          name: "ask",
          arguments: {},
          requestState: round.result.requestState,
          inputResponses: { [key as string]: { action: "accept", content: { n: "x" } } },
        },
        elicits,
      ).text();

      const { answers, loaded } = await coldModules<Record<string, unknown>>(RETRY_FIXTURE, {
        SECRET: secret,
        HOST: host,
        SOURCE_IP: sourceIp,
        RETRY_BODY: retry,
      });
      expect(answers).toStrictEqual({ status: 200, resultType: "complete", text: "got x" });
      expect(loaded.filter((m) => /crypto/.test(m))).toStrictEqual([]);
    },
  );
});

/**
 * A cold start never loads undici: on Node the global `Request`, `Response` and `Headers` live in
 * undici, and touching any of them loads all of it (fetch, dispatcher, HTTP/2 — tens of
 * milliseconds of every Lambda cold start). A fresh Node process imports the adapter and the core
 * and answers buffered events of every kind (HTTP API, Function URL, REST API, ALB) in both eras;
 * neither undici nor the web streams implementation may load meanwhile, nor Node's crypto (its
 * first use loads all of it: ~23 ms of a cold start under the runtime's `--expose-gc`), though a
 * legacy `initialize` draws a random session id. And a 2026-07-28 round that asks for input (it
 * draws a nonce and seals its state), and a retry whose requestState another instance sealed,
 * load no crypto either.
 */
import { fileURLToPath } from "node:url";
import { modernPost } from "@portico/test-kit";
import { coldModules, nodeStripsTypes } from "@portico/test-kit/node";
import { describe, expect, it } from "vitest";

const FIXTURE = fileURLToPath(new URL("./fixtures/first-answers.mjs", import.meta.url));
const RETRY_FIXTURE = fileURLToPath(new URL("./fixtures/mrtr-retry.mjs", import.meta.url));

type Answer = { status: number; call?: number; session?: string; sum: unknown };
type Round = { status: number; resultType?: string; text?: string; requestState?: string; keys: string[] };

describe("a Lambda cold start", () => {
  it.runIf(nodeStripsTypes)(
    "answers every buffered event kind in both eras without loading undici, web streams or crypto",
    async () => {
      const { answers, heavy, loaded } = await coldModules<Record<string, Answer>>(FIXTURE);
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
      expect(loaded.filter((m) => /crypto/.test(m))).toStrictEqual([]);
    },
  );

  it.runIf(nodeStripsTypes)(
    "asks for input, and answers a retry sealed by another instance, without loading Node's crypto",
    async () => {
      const secret = "0123456789abcdef0123456789abcdef";
      const host = "abc123.execute-api.us-east-1.amazonaws.com";
      const sourceIp = "203.0.113.9";
      const elicits = { clientCapabilities: { elicitation: {} } };
      const env = { SECRET: secret, HOST: host, SOURCE_IP: sourceIp };
      const call = (params: Record<string, unknown>) =>
        modernPost(
          `https://${host}/mcp`,
          "tools/call",
          { name: "ask", arguments: {}, ...params },
          elicits,
        ).text();
      // Another instance answers the first round: input_required, with its sealed state.
      const first = await coldModules<Round>(RETRY_FIXTURE, { ...env, BODY: await call({}) });
      expect(first.answers).toMatchObject({ status: 200, resultType: "input_required" });
      expect(first.loaded.filter((m) => /crypto/.test(m))).toStrictEqual([]);
      const [key] = first.answers.keys;
      const retry = await call({
        requestState: first.answers.requestState,
        inputResponses: { [key as string]: { action: "accept", content: { n: "x" } } },
      });

      const { answers, loaded } = await coldModules<Round>(RETRY_FIXTURE, { ...env, BODY: retry });
      expect(answers).toMatchObject({ status: 200, resultType: "complete", text: "got x", keys: [] });
      expect(loaded.filter((m) => /crypto/.test(m))).toStrictEqual([]);
    },
  );
});

/**
 * A cold start never loads undici: on Node the global `Request`, `Response` and `Headers` live in
 * undici, and touching any of them loads all of it (fetch, dispatcher, HTTP/2 — tens of
 * milliseconds of every Lambda cold start). A fresh Node process imports the adapter and the core
 * and answers buffered events of every kind (HTTP API, Function URL, REST API, ALB) in both eras;
 * neither undici nor the web streams implementation may load meanwhile.
 */
import { fileURLToPath } from "node:url";
import { coldModules, nodeStripsTypes } from "@portico/test-kit/node";
import { describe, expect, it } from "vitest";

const FIXTURE = fileURLToPath(new URL("./fixtures/first-answers.mjs", import.meta.url));

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
});

/**
 * The Node adapter's buffered path never loads undici: a fresh Node process serves a Portico
 * handler with `serve()` and answers both eras over HTTP without loading undici or the web streams
 * implementation (on Node the global `Request`, `Response` and `Headers` live in undici; touching
 * any of them loads all of it). Apps that do not `acceptsBufferedRequests` still get requests that
 * pass `instanceof Request` (node-request tests).
 */
import { fileURLToPath } from "node:url";
import { coldModules, nodeStripsTypes } from "@portico/test-kit/node";
import { describe, expect, it } from "vitest";

const FIXTURE = fileURLToPath(new URL("./fixtures/first-answers.mjs", import.meta.url));

type Answer = { status: number; call?: number; session?: string; sum: unknown };

describe("a Node cold start", () => {
  it.runIf(nodeStripsTypes)("answers both eras without loading undici or web streams", async () => {
    const { answers, heavy } = await coldModules<Record<string, Answer>>(FIXTURE);
    expect(answers.modern).toStrictEqual({ status: 200, sum: "5" });
    expect(answers.legacy).toStrictEqual({ status: 200, session: "string", call: 200, sum: "5" });
    expect(heavy).toStrictEqual([]);
  });
});

/**
 * A cold start never loads undici: on Node the global `Request`, `Response` and `Headers` live in
 * undici, and touching any of them loads all of it (fetch, dispatcher, HTTP/2 — tens of
 * milliseconds of every Lambda cold start). A fresh Node process imports the adapter and the core
 * and answers buffered events of every kind (HTTP API, Function URL, REST API, ALB) in both eras;
 * neither undici nor the web streams implementation may load meanwhile (Node's own list of the
 * internal modules it loaded, `process.moduleLoadList`).
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const FIXTURE = fileURLToPath(new URL("./fixtures/first-answers.mjs", import.meta.url));
// The fixture imports the packages' TypeScript sources, which Node runs from 22.18 on.
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
const stripsTypes = major > 22 || (major === 22 && minor >= 18);

describe("a Lambda cold start", () => {
  it.runIf(stripsTypes)(
    "answers every buffered event kind in both eras without loading undici or web streams",
    async () => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ["--conditions=@portico/source", FIXTURE],
        { timeout: 30_000 },
      );
      const { answers, loaded } = JSON.parse(stdout) as {
        answers: Record<string, { status: number; call?: number; session?: string; sum: unknown }>;
        loaded: string[];
      };
      expect(Object.keys(answers)).toHaveLength(7);
      for (const [name, answer] of Object.entries(answers)) {
        expect(answer.status, name).toBe(200);
        expect(answer.sum, name).toBe("5");
        if (name.endsWith("legacy")) {
          expect(answer.session, name).toBe("string");
          expect(answer.call, name).toBe(200);
        }
      }
      // The fixture really observes loads: importing TypeScript loaded Node's type stripper.
      expect(loaded.some((m) => m.includes("amaro"))).toBe(true);
      expect(loaded.filter((m) => /undici|webstreams|\bhttp2?\b|_http_/.test(m))).toStrictEqual([]);
    },
  );
});

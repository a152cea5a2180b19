/**
 * A request's objects die young: once it is answered nothing keeps them past a young collection,
 * so a busy server's scavenges stay short (a fraction of a millisecond) and its old generation does
 * not fill with dead requests. Measured in a fresh process (`--expose-gc`) serving `tools/call` in
 * both eras with a tool that reads `ctx.signal`, logs and reports progress, under a host with a
 * shutdown signal: the old generation's growth per request after two young collections. When one
 * closure per request was made in the old generation (see `young-closures.test.ts`), every request
 * was promoted whole: ~6–7 KB per request; now under 1 KB (what remains is Node's own bookkeeping,
 * such as the shutdown signal's listener map).
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const FIXTURE = fileURLToPath(new URL("./fixtures/call-survival.ts", import.meta.url));
const nodeStripsTypes =
  (process.features as { typescript?: unknown }).typescript === "strip" ||
  (process.features as { typescript?: unknown }).typescript === "transform";

describe("what a request leaves behind", () => {
  it.runIf(nodeStripsTypes)(
    "promotes (almost) nothing of a served request to the old generation",
    async () => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ["--expose-gc", "--conditions=@portico/source", FIXTURE],
        { timeout: 60_000 },
      );
      const { bytesPerRequest, requests } = JSON.parse(stdout) as {
        bytesPerRequest: number;
        requests: number;
      };
      expect(requests).toBe(400);
      expect(bytesPerRequest).toBeLessThan(2_500);
    },
    90_000,
  );
});

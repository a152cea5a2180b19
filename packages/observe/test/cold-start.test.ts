/** The first request an instance serves is its cold start; the next ones are not (own file: own process). */
import { describe, expect, it } from "vitest";
import { modernRequest } from "./_requests.ts";
import { observedServer, requestLines } from "./_server.ts";

describe("coldStart", () => {
  it("is true on the process's first request only", async () => {
    const { lines, handler } = observedServer();
    for (let i = 0; i < 3; i++) {
      await handler.fetch(modernRequest("tools/call", { name: "add", arguments: { a: 1, b: 2 } }));
    }
    expect(requestLines(lines).map((l) => l.coldStart)).toStrictEqual([true, false, false]);
  });
});

/** An unknown resource's error quotes a bounded part of the URI, never the whole of what a client sent. */
import { describe, expect, it } from "vitest";
import { addResource, McpServer } from "../src/index.ts";
import { ERAS, request } from "./_eras.ts";

interface ErrorAnswer {
  error: { message: string; data: { uri: string } };
}

describe("resources/read of an unknown URI", () => {
  const server = new McpServer({ name: "r", version: "1" });
  addResource(server, "docs://readme", { name: "readme" }, (uri) => [{ uri, text: "x" }]);

  it.each(ERAS)("%s: at most 200 characters of it in the message and 2048 in data", async (era) => {
    const uri = `docs://${"a".repeat(200_000)}`;
    const answer = (await request(server, era, "resources/read", { uri })).final as ErrorAnswer;
    expect(answer.error.message.length).toBeLessThanOrEqual(250);
    expect(answer.error.data.uri).toBe(uri.slice(0, 2048));
    const short = (await request(server, era, "resources/read", { uri: "docs://nope" })).final as ErrorAnswer;
    expect(short.error).toMatchObject({
      message: "Resource not found: docs://nope",
      data: { uri: "docs://nope" },
    });
  });
});

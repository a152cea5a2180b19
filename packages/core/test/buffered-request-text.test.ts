/**
 * A buffered request's string body reads as the same bytes would (and as Request's text() does):
 * a leading byte-order mark dropped, lone surrogates replaced — so a JSON body a Lambda event carries
 * as text parses exactly as when it comes base64-encoded.
 */
import { bufferedRequest } from "@portico/host";
import { describe, expect, it } from "vitest";
import { addTool, createHandler, McpServer } from "../src/index.ts";
import { modernRequest } from "./_client.ts";

async function viaText(text: string) {
  const server = new McpServer({ name: "b", version: "1" });
  addTool(server, "echo", {}, (args) => JSON.stringify(args));
  const template = modernRequest("tools/call", { name: "echo", arguments: {} });
  const headers = Object.fromEntries(template.headers);
  const body = JSON.parse(await template.text());
  body.params.arguments = { text };
  const request = bufferedRequest({
    method: "POST",
    url: template.url,
    headers,
    // JSON.stringify escapes a lone surrogate (\ud800): put it in raw, as a text body may carry it.
    body: `\uFEFF${JSON.stringify(body).replace("\\ud800", "\uD800")}`,
  });
  return createHandler(server).fetch(request, undefined, { bufferedResponses: false });
}

describe("a buffered request's string body", () => {
  it("parses with a leading byte-order mark, as its UTF-8 bytes would", async () => {
    const response = await viaText("plain");
    expect(response.status).toBe(200);
    expect((await response.json()).result.content[0].text).toBe('{"text":"plain"}');
  });

  it("gives a lone surrogate as U+FFFD, as decoding UTF-8 does", async () => {
    const response = await viaText("a\uD800b");
    expect(response.status).toBe(200);
    expect((await response.json()).result.content[0].text).toBe('{"text":"a\uFFFDb"}');
  });
});

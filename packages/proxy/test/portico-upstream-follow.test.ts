/**
 * Following a modern Portico upstream with more resources than one listen may name: Portico (like
 * its legacy `resources/subscribe`) honours at most 100 URIs per `subscriptions/listen`, so the
 * proxy watches the first 100 registered resources — the listen is accepted (not refused and
 * retried forever) and their updates reach the front.
 */
import { serve } from "@portico/adapter-node";
import { addResource, createHandler, McpServer } from "@portico/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_SUBSCRIPTIONS } from "../src/changes.ts";
import { type Front, front } from "./_front.ts";
import { waitFor } from "./_wait.ts";

type Json = Record<string, any>;

describe("a modern Portico upstream with 150 subscribable resources", () => {
  const upstream = new McpServer({ name: "upstream", version: "1.0.0" });
  for (let i = 0; i < 150; i++) {
    addResource(upstream, `note://${i}`, { name: `note-${i}`, mimeType: "text/plain" }, () => ({
      contents: [{ uri: `note://${i}`, text: `note ${i}` }],
    }));
  }
  const handler = createHandler(upstream, { onError: () => {} });
  /** Each listen request the upstream received. */
  const listens: Json[] = [];
  let f: Front;
  let http: Awaited<ReturnType<typeof serve>>;
  const heard: string[] = [];

  beforeAll(async () => {
    const fetchFn: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      const listen =
        request.method === "POST" && request.headers.get("mcp-method") === "subscriptions/listen";
      if (listen) listens.push(((await request.clone().json()) as Json).params);
      return fetch(request);
    };
    http = await serve(handler, { port: 0, hostname: "127.0.0.1" });
    f = await front(`${http.url}/mcp`, { fetch: fetchFn });
  });

  afterAll(async () => {
    await f.proxied.close();
    await http.close();
  });

  it("names the first 100 resources in one listen, which the upstream accepts", async () => {
    expect(MAX_SUBSCRIPTIONS).toBe(100);
    expect(f.proxied.era).toBe("modern");
    expect(f.proxied.resources).toHaveLength(150);
    await waitFor("the upstream listen", () => listens.length > 0);
    expect(listens[0]?.notifications?.resourceSubscriptions).toEqual(
      Array.from({ length: 100 }, (_, i) => `note://${i}`),
    );
    // the listen was accepted: an update upstream reaches the front, which announces it (a
    // refused listen would be retried with backoff, and no update would ever arrive)
    const original = f.server.resourceUpdated.bind(f.server);
    f.server.resourceUpdated = (uri: string) => {
      heard.push(uri);
      return original(uri);
    };
    await waitFor("the update of note://7 at the front", () => {
      upstream.resourceUpdated("note://7");
      return heard.includes("note://7");
    });
    expect(listens).toHaveLength(1);
  });
});

/**
 * Following a modern (2026-07-28) SDK v2 remote that declares `resources.subscribe`: the
 * registered resources are carried in the `subscriptions/listen` request, the remote's resource
 * updates reach Portico's subscribers, the listen request is sent again when the set of resources
 * changes, and when the remote ends the stream (its restart) the proxy listens again and re-lists.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ResourceUpdatedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { serve } from "@portico/adapter-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Front, front } from "./_front.ts";
import { type RemoteV2, startV2 } from "./_remotes.ts";
import { waitFor } from "./_wait.ts";

type Json = Record<string, any>;

describe("an SDK v2 remote with resource subscriptions (subscriptions/listen)", () => {
  let remote: RemoteV2;
  let f: Front;
  /** The params of each `subscriptions/listen` request the remote received. */
  const listens: Json[] = [];
  let noteB = false;
  let http: Awaited<ReturnType<typeof serve>>;
  let client: Client;
  const updates: string[] = [];

  beforeAll(async () => {
    remote = startV2((server) => {
      server.server.registerCapabilities({ resources: { subscribe: true, listChanged: true } });
      if (noteB) {
        server.registerResource("note-b", "note://b", { mimeType: "text/plain" }, async (uri) => ({
          contents: [{ uri: uri.href, text: "hello from b" }],
        }));
      }
    });
    const fetchFn: typeof fetch = async (input, init) => {
      const request = new Request(input, init);
      if (request.method === "POST") {
        const body = (await request.clone().json()) as Json;
        if (body.method === "subscriptions/listen") listens.push(body.params);
      }
      return remote.fetch(request);
    };
    f = await front("http://remote.test/mcp", { fetch: fetchFn });
    // A 2025-11-25 caller of the front, subscribed to note://a.
    http = await serve(f.handler, { port: 0, hostname: "127.0.0.1" });
    client = new Client({ name: "caller", version: "1.0.0" });
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updates.push(n.params.uri);
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${http.url}/mcp`)));
    await client.subscribeResource({ uri: "note://a" });
  });

  afterAll(async () => {
    await client.close();
    await http.close();
    await f.proxied.close();
  });

  /** Publishes an update of `uri` upstream until the caller hears of it (a listener may not be registered yet). */
  async function updateUntilHeard(uri: string): Promise<void> {
    const heard = updates.length;
    await waitFor(`the update of ${uri} at the caller`, () => {
      remote.notify.resourceUpdated(uri);
      return updates.slice(heard).includes(uri);
    });
  }

  it("carries the registered resources in the listen request, and their updates reach Portico's subscribers", async () => {
    expect(f.proxied.era).toBe("modern");
    expect(f.proxied.resources).toEqual(["note://a"]);
    await waitFor("the upstream listen", () => listens.length > 0);
    expect(listens[0]).toMatchObject({
      notifications: {
        toolsListChanged: true,
        promptsListChanged: true,
        resourcesListChanged: true,
        resourceSubscriptions: ["note://a"],
      },
    });
    await updateUntilHeard("note://a");
    expect(new Set(updates)).toEqual(new Set(["note://a"]));
  });

  it("listens again with the new set when the remote's resources change", async () => {
    noteB = true;
    await waitFor("a listen request for note://b", () => {
      remote.notify.resourcesChanged();
      return listens.some((l) => l.notifications.resourceSubscriptions?.includes("note://b"));
    });
    expect(f.proxied.resources).toEqual(["note://a", "note://b"]);
    expect(listens.at(-1)?.notifications.resourceSubscriptions).toEqual(["note://a", "note://b"]);
    // note://b is watched upstream: its update reaches a caller subscribed to it.
    await client.subscribeResource({ uri: "note://b" });
    await updateUntilHeard("note://b");
  });

  it("listens again, and re-lists, after the remote ends the stream", async () => {
    const before = listens.length;
    const lists = () => remote.seen.filter((s) => s.method === "tools/list").length;
    const listed = lists();
    // The remote restarts: its open listen stream ends with its final result.
    await remote.restart();
    // Listened to again after the 1 s backoff, with the same resources.
    await waitFor("a new listen request", () => listens.length > before, 5000);
    expect(listens.at(-1)?.notifications.resourceSubscriptions).toEqual(["note://a", "note://b"]);
    // The stream opened again: changes may have been missed, so the remote is listed again.
    await waitFor("a new listing", () => lists() > listed, 5000);
    // Updates published after the restart reach the caller on the new stream.
    await updateUntilHeard("note://a");
    // One reconnect: no listen storm.
    expect(listens.length - before).toBe(1);
  });
});

/**
 * The config registry across instances: for each store — a real redis-server, and dynalite standing
 * in for DynamoDB — three separate processes (`src/config-instance.ts`) share one `storeRegistry`
 * document on 127.0.0.1, and:
 *
 * - a tool put through instance A is listed and callable on B and C within 2 s (the bus), and it
 *   calls a local HTTP API with a header from each instance's own `env` option;
 * - the tool removed through B is gone everywhere within 2 s; a prompt and a resource put through
 *   C show up everywhere too;
 * - after all three processes are stopped and three new ones started, they serve the stored
 *   document.
 *
 * PORTICO_FAULTS_STORES=redis (or dynamodb) runs one store only.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { type Instances, startInstances } from "@portico/test-kit/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, everywhere, mcp } from "../src/registry-probes.ts";
import { type StoreController, type StoreKind, startStore } from "../src/stores.ts";

const STORES = (process.env.PORTICO_FAULTS_STORES ?? "redis,dynamodb")
  .split(",")
  .map((s) => s.trim())
  .filter((s): s is StoreKind => s === "redis" || s === "dynamodb");

const SCRIPT = fileURLToPath(new URL("../src/config-instance.ts", import.meta.url));
const WITHIN_MS = 2_000;

/** The names (URIs) of a kind an instance lists; [] before it has any (no such family yet). */
async function names(url: string, kind: "tools" | "resources" | "prompts"): Promise<string[]> {
  const answer = await mcp(url, `${kind}/list`);
  if (answer.error !== undefined) return [];
  return (answer.result[kind] as { name: string; uri?: string }[]).map((d) => d.uri ?? d.name).sort();
}

let api: Server;
let apiBase = "";
beforeAll(async () => {
  api = createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ path: req.url, instance: req.headers["x-instance"] }));
  });
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  apiBase = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  api.closeAllConnections();
  await new Promise<void>((resolve) => api.close(() => resolve()));
});

describe.each(STORES)("config registry across three instances on %s", (kind) => {
  let store: StoreController | undefined;
  let instances: Instances | undefined;
  let urls: string[] = [];
  const start = async () => {
    instances = await startInstances(
      SCRIPT,
      ["a", "b", "c"].map((name) => ({ ...store?.env, FAULTS_NAME: name })),
    );
    urls = instances.urls;
  };

  beforeAll(async () => {
    store = await startStore(kind);
    await start();
  }, 90_000);

  afterAll(async () => {
    await instances?.stop();
    await store?.stop();
  }, 30_000);

  const lookup = {
    name: "lookup",
    description: "Looks an item up",
    input: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the file format's ${ENV} placeholder, not a template
    http: { method: "GET", url: "", headers: { "x-instance": "${INSTANCE_NAME}" } },
  };

  it(`a tool put through A is listed and callable on B and C within ${WITHIN_MS} ms`, async () => {
    const [a, b, c] = urls as [string, string, string];
    const def = { ...lookup, http: { ...lookup.http, url: `${apiBase}/items/{id}` } };
    expect(await admin(a, "config", "put", { kind: "tools", def })).toMatchObject({ ok: true });
    await everywhere([b, c], async (url) => expect(await names(url, "tools")).toEqual(["lookup"]), WITHIN_MS);
    for (const [url, name] of [
      [a, "a"],
      [b, "b"],
      [c, "c"],
    ] as const) {
      const answer = await mcp(url, "tools/call", { name: "lookup", arguments: { id: "x/1" } });
      expect(answer.result.structuredContent).toEqual({ path: "/items/x%2F1", instance: name });
    }
    const refused = await admin(b, "config", "put", {
      kind: "tools",
      def: { ...def, http: { method: "GO", url: "" } },
    });
    expect(refused.error).toBe("tools[0].http.method: must be GET, POST, PUT, PATCH or DELETE");
  }, 30_000);

  it(`removed through B: gone everywhere within ${WITHIN_MS} ms; a prompt and a resource put through C arrive`, async () => {
    const [a, b, c] = urls as [string, string, string];
    expect(await admin(b, "config", "remove", { kind: "tools", name: "lookup" })).toMatchObject({
      removed: true,
    });
    await everywhere([a, b, c], async (url) => expect(await names(url, "tools")).toEqual([]), WITHIN_MS);
    await admin(c, "config", "put", {
      kind: "prompts",
      def: { name: "greet", arguments: [{ name: "who" }], messages: [{ role: "user", text: "Hi {who}" }] },
    });
    await admin(c, "config", "put", {
      kind: "resources",
      def: { uri: "docs://faq", name: "faq", text: "Ask." },
    });
    await everywhere(
      [a, b],
      async (url) => {
        expect(await names(url, "prompts")).toEqual(["greet"]);
        expect(await names(url, "resources")).toEqual(["docs://faq"]);
      },
      WITHIN_MS,
    );
    const got = await mcp(a, "prompts/get", { name: "greet", arguments: { who: "Ann" } });
    expect(got.result.messages[0].content.text).toBe("Hi Ann");
  }, 30_000);

  it("three new processes serve the stored document", async () => {
    await admin(urls[0] as string, "config", "put", {
      kind: "tools",
      def: { ...lookup, name: "after", http: { ...lookup.http, url: `${apiBase}/after/{id}` } },
    });
    await instances?.stop();
    await start();
    for (const url of urls) {
      expect(await names(url, "tools")).toEqual(["after"]);
      expect(await names(url, "prompts")).toEqual(["greet"]);
      const answer = await mcp(url, "tools/call", { name: "after", arguments: { id: "7" } });
      expect(answer.result.structuredContent.path).toBe("/after/7");
    }
  }, 60_000);
});

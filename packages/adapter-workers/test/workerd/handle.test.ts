/**
 * `handle()` inside workerd: the Worker's env and ctx.waitUntil reach the tools, the factory runs
 * once per isolate's env, host auth becomes the tool's auth, `CF-Connecting-IP` becomes
 * `ctx.clientAddress`, an app that throws answers 500, a rejected `ctx.waitUntil` promise goes to `onError`.
 */
import { addTool, createHandler, type HandlerContext, McpServer } from "@portico/core";
import { modernPost, readJsonRpc } from "@portico/test-kit";
import { afterEach, describe, expect, it } from "vitest";
import { handle } from "../../src/index.ts";
import { invokeWorker, TEST_SECRET, testEnv } from "./_fixtures.ts";
import { serveThroughWorker } from "./worker.ts";

afterEach(() => serveThroughWorker(undefined));

/** What the tool saw; plain values only (a promise settled in another invocation would resume the test there). */
interface Seen {
  env?: unknown;
  background?: string;
}

function inspectingServer(seen: Seen) {
  const server = new McpServer({ name: "inspect", version: "1.0.0" });
  addTool(
    server,
    "inspect",
    { description: "Reports what the host passed" },
    (_args, ctx: HandlerContext) => {
      seen.env = ctx.env;
      // Finishes after the response: only ctx.waitUntil keeps it alive.
      ctx.waitUntil(
        new Promise((resolve) => setTimeout(resolve, 20)).then(() => {
          seen.background = "background done";
        }),
      );
      const bindings = Object.keys(ctx.env as object).sort();
      return JSON.stringify({ bindings, subject: ctx.auth?.subject ?? null });
    },
  );
  return server;
}

async function callInspect(): Promise<{ bindings: string[]; subject: string | null }> {
  const res = await invokeWorker(
    modernPost(
      "http://localhost/mcp",
      "tools/call",
      { name: "inspect", arguments: {} },
      { headers: { "cf-ray": "8f00-TEST" } },
    ),
  );
  const [message] = await readJsonRpc(res);
  return JSON.parse((message as { result: { content: [{ text: string }] } }).result.content[0].text);
}

describe("handle()", () => {
  it("passes the Worker's env to the tools and keeps ctx.waitUntil work alive", async () => {
    const seen: Seen = {};
    serveThroughWorker(() => createHandler(inspectingServer(seen), { secret: TEST_SECRET }));
    expect((await callInspect()).bindings).toContain("PORTICO_TEST_BINDING");
    expect(seen.env).toBeDefined();
    await expect.poll(() => seen.background, { timeout: 5_000 }).toBe("background done");
  });

  it("builds the app from env once, on the first request, and reuses it", async () => {
    const seen: Seen = {};
    let built = 0;
    serveThroughWorker((env) => {
      built += 1;
      expect(env.PORTICO_TEST_BINDING).toBe("bound");
      return createHandler(inspectingServer(seen), { secret: TEST_SECRET });
    });
    await callInspect();
    await callInspect();
    expect(built).toBe(1);
  });

  it("turns the Worker's auth (e.g. ctx.props) into the tool's auth", async () => {
    const server = inspectingServer({});
    const worker = handle(createHandler(server, { secret: TEST_SECRET }), {
      authInfo: (request) => ({ subject: request.headers.get("cf-ray") ?? "none" }),
    });
    serveThroughWorker(() => ({
      fetch: (request, env) => worker.fetch(request, env as never, fakeContext()),
    }));
    expect((await callInspect()).subject).toBe("8f00-TEST");
  });

  it("passes CF-Connecting-IP as ctx.clientAddress, never X-Forwarded-For or X-Real-IP", async () => {
    // A tiny app that answers with the address it was given, through the test Worker (a real invocation).
    serveThroughWorker(() => ({
      fetch: (_request, _env, ctx) => Response.json({ clientAddress: ctx?.clientAddress ?? null }),
    }));
    const seen = async (headers: Record<string, string>) =>
      ((await (await invokeWorker("http://localhost/mcp", { headers })).json()) as { clientAddress: unknown })
        .clientAddress;
    const spoofed = { "x-forwarded-for": "198.51.100.66", "x-real-ip": "198.51.100.66" };
    expect(await seen({ "cf-connecting-ip": "203.0.113.7", ...spoofed })).toBe("203.0.113.7");
    expect(await seen({ "cf-connecting-ip": "2001:db8::7" })).toBe("2001:db8::7");
    // Without the header (a Managed Transform removed it), or with an empty one: no address.
    expect(await seen(spoofed)).toBeNull();
    expect(await seen({ "cf-connecting-ip": "" })).toBeNull();
  });

  it("answers 500 without detail when the app throws", async () => {
    const errors: unknown[] = [];
    const worker = handle(
      {
        fetch() {
          throw new Error("secret detail");
        },
      },
      { onError: (error) => errors.push(error) },
    );
    const res = await worker.fetch(new Request("http://localhost/mcp"), testEnv, fakeContext());
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain("secret detail");
    expect(JSON.parse(text)).toMatchObject({ error: { code: -32603 } });
    expect(String(errors[0])).toContain("secret detail");
  });

  it("answers 500 without detail when the authInfo hook throws", async () => {
    // An exception a Worker's fetch lets out becomes Cloudflare's error 1101 page (and under
    // wrangler dev a page with the stack): the hook's failure must take the app's path instead.
    const errors: unknown[] = [];
    const worker = handle(
      { fetch: () => new Response("the app must not run") },
      {
        authInfo: () => {
          throw new Error("secret props detail");
        },
        onError: (error) => errors.push(error),
      },
    );
    const res = await worker.fetch(new Request("http://localhost/mcp"), testEnv, fakeContext());
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain("secret");
    expect(JSON.parse(text)).toMatchObject({ error: { code: -32603 } });
    expect(String(errors[0])).toContain("secret props detail");
  });
});

describe("handle() ctx.waitUntil", () => {
  it("hands the host a guarded promise: a rejection goes to onError, never unhandled", async () => {
    const errors: unknown[] = [];
    const kept: Promise<unknown>[] = [];
    const worker = handle(
      {
        fetch(_request, _env, ctx) {
          ctx?.waitUntil?.(Promise.reject(new Error("background failed")));
          return new Response("ok");
        },
      },
      { onError: (error) => errors.push(error) },
    );
    const context = { ...fakeContext(), waitUntil: (p: Promise<unknown>) => void kept.push(p) };
    const res = await worker.fetch(new Request("http://localhost/mcp"), testEnv, context as ExecutionContext);
    expect(await res.text()).toBe("ok");
    expect(kept).toHaveLength(1);
    await kept[0]; // settles without rejecting
    expect(String(errors[0])).toContain("background failed");
  });
});

function fakeContext(): ExecutionContext {
  return { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
}

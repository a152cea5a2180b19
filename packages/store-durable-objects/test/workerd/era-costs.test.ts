/**
 * What each era costs in Durable Object calls (the README's table comes from here): every stub the
 * stores make is counted, by kind of object. The modern era never touches a Durable Object.
 */
import { addTool, createHandler, jsonSchema, McpServer } from "@portico/core";
import { initializeBody, initializedBody, legacyPost, modernPost, readJsonRpc } from "@portico/test-kit";
import { afterAll, describe, expect, it } from "vitest";
import { durableObjectStores } from "../../src/index.ts";
import { invokeWorker, testEnv } from "./_fixtures.ts";
import { serveThroughWorker } from "./worker.ts";

const URL = "http://localhost/mcp";

/** The binding, counting each call on an object: `<object kind> <method>` (`fetch` is a subscription). */
function countingNamespace() {
  const ns = testEnv.MCP_SESSIONS;
  const names = new WeakMap<object, string>();
  const calls: string[] = [];
  const counted = {
    idFromName(name: string) {
      const id = ns.idFromName(name);
      names.set(id, name);
      return id;
    },
    get(id: DurableObjectId) {
      const kind = (names.get(id) ?? "?").split(":")[0] as string;
      const stub = ns.get(id) as unknown as Record<string, (...args: unknown[]) => unknown>;
      return new Proxy(stub, {
        get: (target, method: string) => {
          const real = target[method];
          if (typeof real !== "function") return real;
          return (...args: unknown[]) => {
            calls.push(`${kind} ${method}`);
            return Reflect.apply(real, target, args);
          };
        },
      });
    },
  } as unknown as typeof ns;
  return {
    namespace: counted,
    /** Calls since the last take, counted by `<kind> <method>`. */
    take() {
      const out: Record<string, number> = {};
      for (const call of calls.splice(0)) out[call] = (out[call] ?? 0) + 1;
      return out;
    },
  };
}

function server(): McpServer {
  const s = new McpServer({ name: "costs", version: "1.0.0" });
  addTool(
    s,
    "add",
    { description: "a+b", input: jsonSchema({ type: "object", properties: { a: { type: "number" } } }) },
    () => "2",
  );
  addTool(s, "steps", { description: "two progress notifications" }, async (_args, ctx) => {
    await ctx.progress(1, 2);
    await ctx.progress(2, 2);
    return "done";
  });
  addTool(s, "ask", { description: "elicits" }, async (_args, ctx) => {
    const answer = await ctx.elicit({ message: "?", requestedSchema: { type: "object", properties: {} } });
    return String(answer.action);
  });
  return s;
}

describe("Durable Object calls per request", () => {
  const counter = countingNamespace();
  serveThroughWorker(() => createHandler(server(), { stores: durableObjectStores(counter.namespace) }));
  afterAll(() => serveThroughWorker(undefined));

  it("modern era: none, but a read and a write of the caller's record per MRTR retry (its requestState is single-use)", async () => {
    for (const method of ["server/discover", "tools/list"])
      await (await invokeWorker(modernPost(URL, method))).text();
    await (await invokeWorker(modernPost(URL, "tools/call", { name: "add", arguments: { a: 1 } }))).text();
    await (
      await invokeWorker(
        modernPost(URL, "tools/call", { name: "steps", arguments: {}, _meta: { progressToken: 1 } }),
      )
    ).text();
    expect(counter.take()).toEqual({});
    const caps = { clientCapabilities: { elicitation: {} } };
    const [first] = await readJsonRpc(
      await invokeWorker(modernPost(URL, "tools/call", { name: "ask", arguments: {} }, caps)),
    );
    const { requestState, inputRequests } = (
      first as { result: { requestState: string; inputRequests: object } }
    ).result;
    const key = Object.keys(inputRequests)[0] as string;
    const retry = modernPost(
      URL,
      "tools/call",
      {
        name: "ask",
        arguments: {},
        requestState,
        inputResponses: { [key]: { action: "accept", content: {} } },
      },
      { ...caps, id: 2 },
    );
    const [second] = await readJsonRpc(await invokeWorker(retry));
    expect(second).toMatchObject({ result: { content: [{ text: "accept" }] } });
    // The retry claims the state's nonce in its caller's record (read, then write), so a replay of
    // it is refused on every instance.
    expect(counter.take()).toEqual({ "key getRecord": 1, "key createRecord": 1 });
  });

  it("legacy era: one call per plain request, two per streamed message, the reply round trip through the session object", async () => {
    const init = await invokeWorker(
      legacyPost(URL, initializeBody(1, { capabilities: { elicitation: {} } })),
    );
    const sessionId = init.headers.get("mcp-session-id") as string;
    await init.text();
    // The session record, and its place in the server-wide session count (maxSessions): one
    // census shard read and written (created here, as it is the first session).
    expect(counter.take()).toEqual({ "session createRecord": 1, "key getRecord": 1, "key createRecord": 1 });

    const opts = { sessionId, protocolVersion: "2025-11-25" };
    await (await invokeWorker(legacyPost(URL, initializedBody(), opts))).text();
    expect(counter.take()).toEqual({ "session getRecord": 1 });

    await (
      await invokeWorker(
        legacyPost(
          URL,
          { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "add", arguments: { a: 1 } } },
          opts,
        ),
      )
    ).text();
    // A JSON answer stores no event.
    expect(counter.take()).toEqual({ "session getRecord": 1 });

    const steps = await invokeWorker(
      legacyPost(
        URL,
        {
          jsonrpc: "2.0",
          id: 3,
          method: "tools/call",
          params: { name: "steps", _meta: { progressToken: "t" } },
        },
        opts,
      ),
    );
    expect(await readJsonRpc(steps)).toHaveLength(3);
    // Priming event, 2 progress notifications and the response: 4 appends and 3 wake-ups for
    // resumers; progress looks at the tool's signal, which listens for cancellation (a subscription);
    // the stream's owner lease is recorded before its first event and deleted after the response.
    expect(counter.take()).toEqual({
      "session getRecord": 1,
      "session fetch": 1,
      "session appendEvent": 4,
      "session publish": 3,
      "session createRecord": 1,
      "session deleteRecord": 1,
    });

    const call = await invokeWorker(
      legacyPost(URL, { jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "ask" } }, opts),
    );
    const messages = await readJsonRpc(call, {
      until: (m) => {
        if (m.method === "elicitation/create") {
          void invokeWorker(
            legacyPost(URL, { jsonrpc: "2.0", id: m.id, result: { action: "accept", content: {} } }, opts),
          ).then((r) => r.text());
        }
        return m.id === 4;
      },
    });
    expect(messages.at(-1)).toMatchObject({ id: 4, result: { content: [{ text: "accept" }] } });
    // The call and the reply POST together: both read the record; the call subscribes to the reply,
    // to cancellation and to the session's end (a DELETE ends the wait), reads the session once more
    // before asking (a DELETE before that subscription), streams 3 events (priming, request,
    // response) with 2 wake-ups, and reads the mailbox after subscribing and after the wake-up,
    // then deletes it; the mailbox is opened
    // (created) before the request goes out, and the reply POST reads it (is the id awaited?) and
    // stores the reply in it (an update), then announces it; the stream's owner lease is created
    // and, at the end, deleted.
    const total: Record<string, number> = {};
    await expect
      .poll(() => {
        for (const [call, n] of Object.entries(counter.take())) total[call] = (total[call] ?? 0) + n;
        return total;
      })
      .toEqual({
        "session getRecord": 6,
        "session fetch": 3,
        "session appendEvent": 3,
        "session publish": 3,
        "session createRecord": 2,
        "session updateRecord": 1,
        "session deleteRecord": 2,
      });
  });
});

/**
 * The store battery's handler part: what the core keeps in a store stays its caller's. A legacy
 * session answers only the principal that created it (calls, the GET stream, `Last-Event-ID`
 * replay, DELETE) and lives while used (sliding expiry), and a sealed MRTR `requestState` opens once, for its caller, on every instance
 * that shares the store, and answers never count without one (two handlers over the same stores stand for two instances).
 */
import { addTool, createHandler, McpServer, type Stores } from "@portico/core";
import { expect, it } from "vitest";
import {
  initializeBody,
  type JsonRpcMessage,
  jsonRpc,
  legacyDelete,
  legacyGet,
  legacyPost,
  modernPost,
  readJsonRpc,
} from "./requests.ts";
import { collectSse, type SseEvent } from "./sse.ts";

const URL_ = "http://127.0.0.1/mcp";
const SECRET = "store-battery-secret-0123456789abcdef";

function bindingServer(): McpServer {
  const server = new McpServer({ name: "binding", version: "1.0.0" });
  addTool(server, "step", { description: "Reports progress, then answers" }, async (_args, ctx) => {
    await ctx.progress(1, 2);
    return "stepped";
  });
  addTool(server, "ask", { description: "Asks the client for a word" }, async (_args, ctx) => {
    const answer = await ctx.elicit({
      message: "word?",
      requestedSchema: { type: "object", properties: { word: { type: "string" } } },
    });
    return `got ${JSON.stringify(answer.content)}`;
  });
  return server;
}

/** Two handlers over the same stores (two instances); `X-Test-User` names the caller. */
function instances(stores: Stores) {
  const options = {
    stores,
    secret: SECRET,
    keepAliveMs: 0,
    authenticate: (request: Request) => {
      const user = request.headers.get("x-test-user");
      return user === null ? undefined : { subject: user };
    },
  };
  return [createHandler(bindingServer(), options), createHandler(bindingServer(), options)] as const;
}

/** The one JSON-RPC message a response carries. */
async function one(response: Promise<Response>): Promise<JsonRpcMessage> {
  const messages = await readJsonRpc(await response);
  expect(messages).toHaveLength(1);
  return messages[0] as JsonRpcMessage;
}

const as = (user: string | undefined) => ({ "x-test-user": user });

export function bindingTests(stores: () => Stores): void {
  it("serves a legacy session only to the principal that created it", async () => {
    const [a, b] = instances(stores());
    const init = await a.fetch(legacyPost(URL_, initializeBody(1), { headers: as("alice") }));
    expect(init.status).toBe(200);
    const sessionId = init.headers.get("mcp-session-id") as string;
    const call = (user: string | undefined, id: number) =>
      legacyPost(URL_, jsonRpc(id, "tools/call", { name: "step", _meta: { progressToken: "p" } }), {
        sessionId,
        headers: as(user),
      });

    // Someone else, or nobody, with alice's session id: an unknown session, on either instance.
    for (const [handler, user] of [
      [a, "bob"],
      [b, "bob"],
      [b, undefined],
    ] as const) {
      const refused = await handler.fetch(call(user, 2));
      expect(refused.status).toBe(404);
      expect(await refused.json()).toMatchObject({ error: { message: "Session not found" } });
      expect((await handler.fetch(legacyGet(URL_, { sessionId, headers: as(user) }))).status).toBe(404);
      expect((await handler.fetch(legacyDelete(URL_, { sessionId, headers: as(user) }))).status).toBe(404);
    }

    // Alice, on the other instance: served, and her stream's events carry ids to resume from.
    const served = await b.fetch(call("alice", 3));
    expect(served.status).toBe(200);
    const events = await collectSse(served, { timeoutMs: 10_000 });
    const withId = events.find((event: SseEvent) => event.id !== undefined && event.id !== "");
    expect(withId, "an SSE event with an id").toBeDefined();
    const lastEventId = withId?.id as string;
    expect(
      (await a.fetch(legacyGet(URL_, { sessionId, lastEventId, headers: as("bob") }))).status,
      "bob replays alice's stream",
    ).toBe(404);
    const replay = await a.fetch(legacyGet(URL_, { sessionId, lastEventId, headers: as("alice") }));
    expect(replay.status).toBe(200);
    await replay.body?.cancel();

    // The session survived the refused DELETEs; alice's ends it.
    expect((await a.fetch(legacyDelete(URL_, { sessionId, headers: as("alice") }))).status).toBe(200);
    expect((await b.fetch(call("alice", 4))).status).toBe(404);
  });

  it("keeps an anonymous session from an authenticated caller, and the reverse", async () => {
    const [a, b] = instances(stores());
    const anonymous = await a.fetch(legacyPost(URL_, initializeBody(1)));
    const anonymousId = anonymous.headers.get("mcp-session-id") as string;
    const list = (sessionId: string, user: string | undefined) =>
      legacyPost(URL_, jsonRpc(2, "tools/list"), { sessionId, headers: as(user) });
    expect((await b.fetch(list(anonymousId, "carol"))).status).toBe(404);
    expect((await b.fetch(list(anonymousId, undefined))).status).toBe(200);
  });

  it("keeps a legacy session alive while it is used, and lets it expire once idle", async () => {
    const options = { stores: stores(), keepAliveMs: 0, sessionTtlMs: 1200 };
    const a = createHandler(bindingServer(), options);
    const b = createHandler(bindingServer(), options);
    const init = await a.fetch(legacyPost(URL_, initializeBody(1)));
    const sessionId = init.headers.get("mcp-session-id") as string;
    const list = (id: number) => legacyPost(URL_, jsonRpc(id, "tools/list"), { sessionId });
    // Used every 300 ms, alternately on two instances, for twice its idle lifetime.
    for (let i = 0; i < 8; i++) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await (i % 2 === 0 ? a : b).fetch(list(i + 2))).status, `request ${i}`).toBe(200);
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await a.fetch(list(20))).status).toBe(404);
  });

  it("opens a requestState once, only for its caller, on any instance", async () => {
    const [a, b] = instances(stores());
    const options = (user: string | undefined, id: number) => ({
      id,
      clientCapabilities: { elicitation: {} },
      headers: as(user),
    });
    const first = await one(
      a.fetch(modernPost(URL_, "tools/call", { name: "ask", arguments: {} }, options("alice", 1))),
    );
    const result = first.result as { resultType: string; requestState: string; inputRequests: object };
    expect(result.resultType).toBe("input_required");
    const [key] = Object.keys(result.inputRequests);
    const retry = (user: string | undefined, id: number, withState = true) =>
      modernPost(
        URL_,
        "tools/call",
        {
          name: "ask",
          arguments: {},
          ...(withState ? { requestState: result.requestState } : {}),
          inputResponses: { [key as string]: { action: "accept", content: { word: "yes" } } },
        },
        options(user, id),
      );

    const errorOf = async (response: Response) => (await one(Promise.resolve(response))).error;
    // Answers without the state that asked for them are not taken: the tool asks again.
    const unsolicited = await one(b.fetch(retry("alice", 2, false)));
    expect(unsolicited.result).toMatchObject({ resultType: "input_required" });
    expect((unsolicited.result as { requestState: string }).requestState).not.toBe(result.requestState);
    expect(await errorOf(await b.fetch(retry("bob", 3)))).toMatchObject({ code: -32602 });
    const done = await one(b.fetch(retry("alice", 4)));
    expect(done.result).toMatchObject({ resultType: "complete", content: [{ text: 'got {"word":"yes"}' }] });
    // Replayed, on either instance: refused.
    for (const handler of [a, b]) {
      expect(await errorOf(await handler.fetch(retry("alice", 5)))).toMatchObject({
        code: -32602,
        message: "Invalid params: requestState has already been used",
      });
    }
  });
}

/**
 * The upstream's requests for client input, asked of the Portico caller: an SDK v1 remote's
 * `elicitation/create` on its answer stream (legacy upstream), an SDK v2 remote's
 * `input_required` result (modern upstream), to callers of both eras.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { acceptedContent, inputRequired } from "@modelcontextprotocol/server";
import { serve } from "@portico/adapter-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type Front, front, modern } from "./_front.ts";
import { type RemoteV1, type RemoteV2, startV1, startV2 } from "./_remotes.ts";

type Json = Record<string, any>;
const ELICIT = { elicitation: {} };
const ANSWER = { action: "accept", content: { answer: "yes" } };
const SCHEMA = {
  type: "object" as const,
  properties: { answer: { type: "string" as const } },
  required: ["answer"],
};

/** A 2026-07-28 call of `name` through the front, with the given capabilities and retry fields. */
function call(f: Front, name: string, args: Json, retry: Json = {}, capabilities: Json = ELICIT) {
  return modern(f.handler, "tools/call", { name, arguments: args, ...retry }, undefined, capabilities);
}

/** Answers every input request of an `input_required` result with `answer`; the retry fields. */
function answerAll(result: Json, answer: Json): Json {
  expect(result.resultType).toBe("input_required");
  const inputResponses = Object.fromEntries(Object.keys(result.inputRequests).map((k) => [k, answer]));
  return { requestState: result.requestState, inputResponses };
}

describe("a legacy (SDK v1) remote asking for input on its answer stream", () => {
  let remote: RemoteV1;
  let f: Front;

  beforeAll(async () => {
    remote = await startV1((server) => {
      server.registerTool("ask", { description: "Asks the user" }, async (extra) => {
        const reply = await server.server.elicitInput(
          { message: "Proceed?", requestedSchema: SCHEMA },
          { relatedRequestId: extra.requestId },
        );
        return {
          content: [{ type: "text", text: `${reply.action}: ${JSON.stringify(reply.content ?? {})}` }],
        };
      });
    });
    f = await front(remote.url);
  });

  afterAll(async () => {
    await f.proxied.close();
    await remote.close();
  });

  it("a 2025-11-25 caller (SDK client) is asked, and the remote's tool returns the answer", async () => {
    const http = await serve(f.handler, { port: 0, hostname: "127.0.0.1" });
    const client = new Client({ name: "caller", version: "1.0.0" }, { capabilities: { elicitation: {} } });
    const asked: Json[] = [];
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params);
      return { action: "accept", content: { answer: "yes" } };
    });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(`${http.url}/mcp`)));
      const result = await client.callTool({ name: "ask", arguments: {} });
      expect(result.content).toEqual([{ type: "text", text: 'accept: {"answer":"yes"}' }]);
      expect(asked).toHaveLength(1);
      expect(asked[0]).toMatchObject({ message: "Proceed?", requestedSchema: SCHEMA });
    } finally {
      await client.close();
      await http.close();
    }
  });

  it("a 2026-07-28 caller gets input_required, retries with the answer, and gets the tool's result", async () => {
    const first = await call(f, "ask", {});
    expect(first.result.resultType).toBe("input_required");
    const [request] = Object.values(first.result.inputRequests) as Json[];
    expect(request).toMatchObject({ method: "elicitation/create", params: { message: "Proceed?" } });
    // The remote was told the caller could not answer yet (its call is abandoned and run again).
    const second = await call(f, "ask", {}, answerAll(first.result, ANSWER));
    expect(second.result.content).toEqual([{ type: "text", text: 'accept: {"answer":"yes"}' }]);
    expect(second.result.resultType).toBe("complete");
  });

  it("a caller that did not declare elicitation gets the core's -32021 error", async () => {
    const answer = await call(f, "ask", {}, {}, {});
    expect(answer.error).toMatchObject({ code: -32021 });
    // The session still works.
    const add = await call(f, "add", { a: 1, b: 2 });
    expect(add.result.structuredContent).toEqual({ sum: 3 });
  });
});

describe("a modern (SDK v2) remote answering input_required", () => {
  let remote: RemoteV2;
  let f: Front;
  let states = 0;

  beforeAll(async () => {
    remote = startV2((server) => {
      server.registerTool(
        "confirm",
        { inputSchema: z.object({ what: z.string() }) },
        async ({ what }, ctx) => {
          const reply = acceptedContent(ctx.mcpReq.inputResponses, "ok");
          if (reply === undefined) {
            return inputRequired({
              inputRequests: {
                ok: inputRequired.elicit({ message: `Confirm ${what}?`, requestedSchema: SCHEMA }),
              },
              requestState: `state-${++states}`,
            });
          }
          const state = String(ctx.mcpReq.requestState());
          return { content: [{ type: "text", text: `${what}: ${JSON.stringify(reply)} (${state})` }] };
        },
      );
    });
    f = await front("http://remote.test/mcp", { fetch: remote.fetch });
  });

  it("a 2026-07-28 caller is asked under the remote's key; the retry carries inputResponses and requestState", async () => {
    expect(f.proxied.era).toBe("modern");
    const first = await call(f, "confirm", { what: "deploy" });
    expect(first.result.resultType).toBe("input_required");
    expect(Object.keys(first.result.inputRequests)).toEqual(["ok"]);
    expect(first.result.inputRequests.ok).toMatchObject({
      method: "elicitation/create",
      params: { message: "Confirm deploy?" },
    });
    // On the retry the handler runs again: the remote asks afresh (state-2), then gets the answer.
    const second = await call(f, "confirm", { what: "deploy" }, answerAll(first.result, ANSWER));
    expect(second.result.content).toEqual([{ type: "text", text: 'deploy: {"answer":"yes"} (state-2)' }]);
    expect(states).toBe(2);
  });

  it("a caller that did not declare elicitation gets the core's -32021 error", async () => {
    const answer = await call(f, "confirm", { what: "x" }, {}, {});
    expect(answer.error).toMatchObject({ code: -32021 });
  });
});

describe("input rounds against a hand-written modern upstream", () => {
  /** An upstream whose tool `t` answers input_required while `more(params)` says so; records tools/call params. */
  function upstream(more: (params: Json) => boolean) {
    const calls: Json[] = [];
    const fetchFn: typeof fetch = async (input, init) => {
      const body = (await new Request(input, init).json()) as Json;
      const tools = [{ name: "t", inputSchema: { type: "object", properties: {} } }];
      let result: Json = { supportedVersions: ["2026-07-28"], capabilities: { tools: {} } };
      if (body.method === "tools/list") result = { tools };
      if (body.method === "tools/call") {
        calls.push(body.params);
        const ask = {
          q: { method: "elicitation/create", params: { message: "again?", requestedSchema: SCHEMA } },
        };
        result = more(body.params)
          ? { resultType: "input_required", inputRequests: ask, requestState: `s${calls.length}` }
          : { content: [{ type: "text", text: JSON.stringify(body.params.inputResponses) }] };
      }
      return Response.json({ jsonrpc: "2.0", id: body.id, result: { resultType: "complete", ...result } });
    };
    return { fetch: fetchFn, calls };
  }

  it("a second round reusing a key is asked again (under a round-specific key), not answered from round 1", async () => {
    const up = upstream((params) => params.inputResponses?.q?.content?.answer !== "twice");
    const f = await front("http://up.test/mcp", { fetch: up.fetch });
    const first = await call(f, "t", {});
    expect(Object.keys(first.result.inputRequests)).toEqual(["q"]);
    const second = await call(f, "t", {}, answerAll(first.result, ANSWER));
    expect(Object.keys(second.result.inputRequests)).toEqual(["q#2"]);
    const answer2 = { action: "accept", content: { answer: "twice" } };
    const third = await call(f, "t", {}, answerAll(second.result, answer2));
    expect(third.result.content[0].text).toBe(JSON.stringify({ q: answer2 }));
    // The last upstream call (the 3rd of this run): the round-2 answer under the upstream's key, with
    // the state of its latest input_required.
    expect(up.calls.at(-1)).toMatchObject({ requestState: "s5", inputResponses: { q: answer2 } });
  });

  it("gives up with a tool error after 8 rounds", async () => {
    const up = upstream(() => true);
    const f = await front("http://up.test/mcp", { fetch: up.fetch });
    let retry: Json = {};
    let answer: Json = {};
    for (let round = 0; round < 10; round++) {
      answer = await call(f, "t", {}, retry);
      if (answer.result?.resultType !== "input_required") break;
      retry = answerAll(answer.result, ANSWER);
    }
    expect(answer.result).toMatchObject({ isError: true });
    expect(answer.result.content[0].text).toBe("The upstream MCP server asked for input more than 8 times");
  });
});

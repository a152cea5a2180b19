/**
 * `unvalidatedSchemas`: a tool whose schema core's JSON Schema validator refuses — a draft-07 tuple
 * (`"items": [ … ]`) that an SDK v2 remote serves with `fromJsonSchema` and validates with its own
 * validator — is skipped by default; with `"forward"` it is mirrored with its schema as the remote
 * listed it, and the remote alone validates its arguments.
 */
import { fromJsonSchema, type JsonSchemaType } from "@modelcontextprotocol/server";
import { McpServer } from "@portico/core";
import { modernPost } from "@portico/test-kit";
import { beforeAll, describe, expect, it } from "vitest";
import { proxy } from "../src/index.ts";
import { type Front, front, legacySession, modern, URL_ } from "./_front.ts";
import { type RemoteV2, startV2 } from "./_remotes.ts";

type Json = Record<string, any>;

const DRAFT_07 = "http://json-schema.org/draft-07/schema#";
/** A draft-07 tuple: a number, then a string, nothing more. */
const PAIR_INPUT = {
  $schema: DRAFT_07,
  type: "object",
  properties: {
    point: { type: "array", items: [{ type: "number" }, { type: "string" }], additionalItems: false },
  },
  required: ["point"],
};
/** A draft-07 tuple as an output schema. */
const WHERE_OUTPUT = {
  $schema: DRAFT_07,
  type: "object",
  properties: { at: { type: "array", items: [{ type: "number" }, { type: "number" }] } },
  required: ["at"],
};
const TUPLE_REASON = 'jsonSchema(): "items" must be a schema (tuples use prefixItems)';

/** One POST the remote received, with its raw answer. */
interface Exchange {
  body: Json;
  answer: string;
}

/** An SDK v2 remote with the usual tools plus `pair` (tuple input) and `where` (tuple output). */
function tupleRemote(): { remote: RemoteV2; fetch: typeof fetch; exchanges: Exchange[] } {
  // The SDK types a schema as 2020-12; its validator (Ajv) applies the draft-07 one as `$schema` says.
  const remote = startV2((server) => {
    server.registerTool(
      "pair",
      {
        description: "Echoes its arguments",
        inputSchema: fromJsonSchema<Json>(PAIR_INPUT as JsonSchemaType),
      },
      async (args) => ({ content: [{ type: "text", text: JSON.stringify(args) }] }),
    );
    server.registerTool(
      "where",
      { description: "Answers a tuple", outputSchema: fromJsonSchema<Json>(WHERE_OUTPUT as JsonSchemaType) },
      async () => ({ content: [{ type: "text", text: "1,2" }], structuredContent: { at: [1, 2] } }),
    );
  });
  const exchanges: Exchange[] = [];
  const fetchFn: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const body = request.method === "POST" ? ((await request.clone().json()) as Json) : {};
    const response = await remote.fetch(request);
    if (request.method === "POST") exchanges.push({ body, answer: await response.clone().text() });
    return response;
  };
  return { remote, fetch: fetchFn, exchanges };
}

/** The remote's own `tools/list` answer (raw) and its `pair` and `where` entries. */
function remoteListing(exchanges: Exchange[]): { raw: string; pair: Json; where: Json } {
  const listing = exchanges.findLast((e) => e.body.method === "tools/list");
  if (listing === undefined) throw new Error("the remote was never listed");
  const tools = (JSON.parse(listing.answer) as Json).result.tools as Json[];
  return {
    raw: listing.answer,
    pair: tools.find((t) => t.name === "pair") as Json,
    where: tools.find((t) => t.name === "where") as Json,
  };
}

const toolCalls = (exchanges: Exchange[]) => exchanges.filter((e) => e.body.method === "tools/call");

describe('by default (unvalidatedSchemas: "skip")', () => {
  it("skips a tool whose schema core's validator refuses, as before, and reports why", async () => {
    const { fetch } = tupleRemote();
    const f = await front("http://remote.test/mcp", { fetch });
    expect([...f.proxied.tools].sort()).toEqual(["add", "fail", "slow"]);
    expect(f.proxied.skipped).toEqual([
      { kind: "tool", name: "pair", reason: expect.stringContaining(TUPLE_REASON) },
      { kind: "tool", name: "where", reason: expect.stringContaining(TUPLE_REASON) },
    ]);
    expect(f.proxied.unvalidated).toEqual([]);
    const list = await modern(f.handler, "tools/list");
    expect((list.result.tools as Json[]).map((t) => t.name).sort()).toEqual(["add", "fail", "slow"]);
    const call = await modern(f.handler, "tools/call", { name: "pair", arguments: { point: [1, "a"] } });
    expect(call.error?.code).toBe(-32602);
  });
});

describe('with unvalidatedSchemas: "forward"', () => {
  let up: ReturnType<typeof tupleRemote>;
  let f: Front;

  beforeAll(async () => {
    up = tupleRemote();
    f = await front("http://remote.test/mcp", { fetch: up.fetch, unvalidatedSchemas: "forward" });
  });

  it("lists the tool with its schemas exactly as the remote listed them, in both eras", async () => {
    const { raw, pair, where } = remoteListing(up.exchanges);
    // The remote's own bytes for each schema (its answer is compact JSON).
    const pairBytes = JSON.stringify(pair.inputSchema);
    const whereBytes = JSON.stringify(where.outputSchema);
    expect(raw).toContain(pairBytes);
    expect(raw).toContain(whereBytes);
    expect(pair.inputSchema.properties.point.items).toEqual([{ type: "number" }, { type: "string" }]);

    const response = await f.handler.fetch(modernPost(URL_, "tools/list", {}));
    const text = await response.text();
    expect(text).toContain(pairBytes);
    expect(text).toContain(whereBytes);

    const legacy = await legacySession(f.handler);
    for (const answer of [await modern(f.handler, "tools/list"), await legacy("tools/list")]) {
      const tools = answer.result.tools as Json[];
      expect(tools.map((t) => t.name).sort()).toEqual(["add", "fail", "pair", "slow", "where"]);
      const listedPair = tools.find((t) => t.name === "pair") as Json;
      const listedWhere = tools.find((t) => t.name === "where") as Json;
      expect(JSON.stringify(listedPair.inputSchema)).toBe(pairBytes);
      expect(JSON.stringify(listedWhere.outputSchema)).toBe(whereBytes);
      expect(JSON.stringify(listedWhere.inputSchema)).toBe(JSON.stringify(where.inputSchema));
    }
  });

  it("forwards a call's arguments unchanged and returns the remote's answer", async () => {
    const args = { point: [1, "a"], extra: { nested: [true, null], text: "  kept  " } };
    const before = toolCalls(up.exchanges).length;
    const answer = await modern(f.handler, "tools/call", { name: "pair", arguments: args });
    expect(answer.result.isError).toBeUndefined();
    expect(answer.result.content).toEqual([{ type: "text", text: JSON.stringify(args) }]);
    const calls = toolCalls(up.exchanges).slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.body.params).toMatchObject({ name: "pair" });
    expect(JSON.stringify(calls[0]?.body.params.arguments)).toBe(JSON.stringify(args));
  });

  it("leaves validation to the remote: arguments it refuses come back with its own error", async () => {
    const before = toolCalls(up.exchanges).length;
    const wrongOrder = await modern(f.handler, "tools/call", {
      name: "pair",
      arguments: { point: ["a", 1] },
    });
    const tooLong = await modern(f.handler, "tools/call", {
      name: "pair",
      arguments: { point: [1, "a", 3] },
    });
    const calls = toolCalls(up.exchanges).slice(before);
    // Both reached the remote, and the caller sees the remote's own answer to each.
    expect(calls).toHaveLength(2);
    for (const [i, answer] of [wrongOrder, tooLong].entries()) {
      const remoteAnswer = (JSON.parse(calls[i]?.answer ?? "{}") as Json).result;
      expect(remoteAnswer.isError).toBe(true);
      // The remote's result as is (Portico sets its own protocol fields, as for every call).
      expect(answer.result.isError).toBe(true);
      expect(answer.result.content).toEqual(remoteAnswer.content);
    }
    expect(wrongOrder.result.content[0].text).toContain("Input validation error");
    expect(wrongOrder.result.content[0].text).toContain("must be number");
    expect(tooLong.result.content[0].text).toContain("must NOT have more than 2 items");
  });

  it("does not check structured output against a refused output schema", async () => {
    const answer = await modern(f.handler, "tools/call", { name: "where", arguments: {} });
    expect(answer.result).toMatchObject({ structuredContent: { at: [1, 2] } });
    expect(answer.result.isError).toBeUndefined();
  });

  it("still validates locally a tool whose schema core accepts: bad arguments never reach the remote", async () => {
    const before = toolCalls(up.exchanges).length;
    const answer = await modern(f.handler, "tools/call", { name: "add", arguments: { a: "2", b: 3 } });
    expect(answer.result.isError).toBe(true);
    expect(answer.result.content[0].text).toMatch(/^Invalid arguments for tool add: \/a: /);
    expect(toolCalls(up.exchanges).length).toBe(before);
    const good = await modern(f.handler, "tools/call", { name: "add", arguments: { a: 2, b: 3 } });
    expect(good.result.structuredContent).toEqual({ sum: 5 });
  });

  it("reports the forwarded schemas in unvalidated (not in skipped), across refresh()", async () => {
    const expected = [
      { name: "pair", schema: "input", reason: expect.stringContaining(TUPLE_REASON) },
      { name: "where", schema: "output", reason: expect.stringContaining(TUPLE_REASON) },
    ];
    expect(f.proxied.skipped).toEqual([]);
    expect([...f.proxied.tools].sort()).toEqual(["add", "fail", "pair", "slow", "where"]);
    expect(f.proxied.unvalidated).toEqual(expected);
    // Unchanged on a new listing: the registrations, and their report, are kept.
    await f.proxied.refresh();
    expect(f.proxied.unvalidated).toEqual(expected);
    expect(f.proxied.skipped).toEqual([]);
  });

  it("names a reported tool with the prefix, and close() clears the report", async () => {
    const other = tupleRemote();
    const g = await front("http://remote.test/mcp", {
      fetch: other.fetch,
      unvalidatedSchemas: "forward",
      prefix: "up",
    });
    expect(g.proxied.unvalidated.map((u) => [u.name, u.schema])).toEqual([
      ["up_pair", "input"],
      ["up_where", "output"],
    ]);
    const answer = await modern(g.handler, "tools/call", { name: "up_pair", arguments: { point: [2, "b"] } });
    expect(answer.result.content).toEqual([{ type: "text", text: '{"point":[2,"b"]}' }]);
    await g.proxied.close();
    expect(g.proxied.unvalidated).toEqual([]);
  });
});

describe("the unvalidatedSchemas option", () => {
  it("refuses a value other than skip or forward before reaching the remote", async () => {
    const { fetch, exchanges } = tupleRemote();
    await expect(
      proxy(new McpServer({ name: "x", version: "1" }), "http://remote.test/mcp", {
        fetch,
        unvalidatedSchemas: "allow" as "forward",
      }),
    ).rejects.toThrow(new TypeError('proxy: unvalidatedSchemas must be "skip" or "forward", not "allow"'));
    expect(exchanges).toEqual([]);
  });
});

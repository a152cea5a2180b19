/**
 * 2026-07-28 requests at the edges of the spec: what a `requestState` is bound to, `Mcp-Param-*`
 * headers of null and nested arguments, and `_meta` values of the wrong type.
 */
import { describe, expect, it } from "vitest";
import {
  addResourceTemplate,
  addTool,
  createHandler,
  ErrorCode,
  jsonSchema,
  type McpHandler,
  McpServer,
} from "../src/index.ts";
import { modern, modernRequest, read } from "./_client.ts";

const ELICIT = { elicitation: {} };

function server(name = "t"): McpServer {
  const s = new McpServer({ name, version: "1.0.0" });
  addResourceTemplate(s, "notes://{id}", { name: "note" }, async (uri, _vars, ctx) => {
    const answer = await ctx.elicit({
      message: "read?",
      requestedSchema: { type: "object", properties: {} },
    });
    return [{ uri, text: `${uri}: ${answer.action}` }];
  });
  const region = { type: ["string", "null"], "x-mcp-header": "Region" };
  addTool(
    s,
    "route",
    { input: jsonSchema({ type: "object", properties: { region } }) },
    (args: { region?: string | null }) => `region ${args.region}`,
  );
  addTool(
    s,
    "nested",
    {
      input: jsonSchema({
        type: "object",
        properties: { target: { type: "object", properties: { region } } },
      }),
    },
    (args: { target?: { region?: string | null } }) => `region ${args.target?.region}`,
  );
  addTool(s, "chatty", {}, async (_args, ctx) => {
    await ctx.progress(1, 2);
    await ctx.log("error", "something");
    return "done";
  });
  return s;
}

function handler(): McpHandler {
  return createHandler(server(), { onError: () => {} });
}

describe("MRTR requestState binding", () => {
  // MRTR: the state carries "an identifier for the originating request, e.g. the method name and a
  // digest of its salient parameters, rejecting state presented on a request that does not match";
  // for resources/read that is the URI (the `Mcp-Name` source), whatever else params carry.
  it("binds a resources/read requestState to its URI even when params carry a stray name", async () => {
    const h = handler();
    const first = await modern(
      h,
      "resources/read",
      { uri: "notes://1", name: "x" },
      { capabilities: ELICIT },
    );
    expect(first.final.result.resultType).toBe("input_required");
    const [key] = Object.keys(first.final.result.inputRequests) as [string];
    const retry = {
      uri: "notes://2",
      name: "x",
      requestState: first.final.result.requestState,
      inputResponses: { [key]: { action: "accept", content: {} } },
    };
    const second = await modern(h, "resources/read", retry, { capabilities: ELICIT, id: 2 });
    expect(second.status).toBe(400);
    expect(second.final.error.code).toBe(ErrorCode.InvalidParams);
    expect(second.final.error.message).toMatch(/belongs to another request/);
  });
});

describe("MRTR requestState and the server that asked", () => {
  const secret = "a-secret-shared-by-two-servers-0123456789";
  const named = (name: string) => createHandler(server(name), { secret, onError: () => {} });

  it("is refused by another server sharing the secret, and taken by another instance of the same server", async () => {
    const first = await modern(
      named("notes"),
      "resources/read",
      { uri: "notes://1" },
      { capabilities: ELICIT },
    );
    expect(first.final.result.resultType).toBe("input_required");
    const [key] = Object.keys(first.final.result.inputRequests) as [string];
    const retry = {
      uri: "notes://1",
      requestState: first.final.result.requestState,
      inputResponses: { [key]: { action: "accept", content: {} } },
    };
    const other = await modern(named("billing"), "resources/read", retry, { capabilities: ELICIT, id: 2 });
    expect(other.status).toBe(400);
    expect(other.final.error.code).toBe(ErrorCode.InvalidParams);
    expect(other.final.error.message).toMatch(/belongs to another request/);
    const same = await modern(named("notes"), "resources/read", retry, { capabilities: ELICIT, id: 3 });
    expect(same.status).toBe(200);
    expect(same.final.result.contents[0].text).toBe("notes://1: accept");
  });
});

describe("Mcp-Param-* headers", () => {
  // Streamable HTTP, Custom Headers: "Parameter value is null — Client MUST omit the header;
  // Server MUST NOT expect the header".
  it("does not expect an Mcp-Param header for an argument that is null", async () => {
    const answer = await modern(handler(), "tools/call", { name: "route", arguments: { region: null } });
    expect(answer.status).toBe(200);
    expect(answer.final.result.content[0].text).toBe("region null");
  });

  // Custom Headers: an `x-mcp-header` may sit on a nested property reached through `properties`
  // keys only, and "any server that processes the message body MUST validate" the header.
  it("checks the Mcp-Param header of a nested x-mcp-header property", async () => {
    const h = handler();
    const args = { name: "nested", arguments: { target: { region: "eu" } } };
    const missing = await modern(h, "tools/call", args);
    expect(missing.status).toBe(400);
    expect(missing.final.error.code).toBe(ErrorCode.HeaderMismatch);
    const wrong = await modern(h, "tools/call", args, { headers: { "mcp-param-region": "us" } });
    expect(wrong.status).toBe(400);
    expect(wrong.final.error.code).toBe(ErrorCode.HeaderMismatch);
    const right = await modern(h, "tools/call", args, { headers: { "mcp-param-region": "eu" } });
    expect(right.status).toBe(200);
    expect(right.final.result.content[0].text).toBe("region eu");
    const absent = await modern(h, "tools/call", { name: "nested", arguments: { target: {} } });
    expect(absent.status).toBe(200);
  });
});

describe("_meta values of the wrong type", () => {
  // `io.modelcontextprotocol/logLevel` is a LoggingLevel: another value is refused (-32602), as the
  // spec asks (logging, Error Handling). A `progressToken` of neither kind asks for no progress.
  it("refuses a logLevel that is not a LoggingLevel (-32602)", async () => {
    for (const level of ["verbose", 5, null, "INFO"]) {
      const meta = { "io.modelcontextprotocol/logLevel": level };
      const answer = await read(
        await handler().fetch(modernRequest("tools/call", { name: "chatty", _meta: meta })),
      );
      expect(answer.status, String(level)).toBe(400);
      expect(answer.final.error.code, String(level)).toBe(-32602);
      expect(answer.final.error.message).toMatch(/logLevel must be one of debug, info/);
    }
    const meta = { "io.modelcontextprotocol/logLevel": "info" };
    const answer = await read(
      await handler().fetch(modernRequest("tools/call", { name: "chatty", _meta: meta })),
    );
    expect(answer.status).toBe(200);
  });

  it("sends no progress for a progressToken that is neither a string nor a number", async () => {
    for (const progressToken of [{ a: 1 }, [1], true]) {
      const answer = await modern(handler(), "tools/call", { name: "chatty", _meta: { progressToken } });
      expect(answer.messages.map((m) => m.method ?? "result")).toStrictEqual(["result"]);
    }
    const ok = await modern(handler(), "tools/call", { name: "chatty", _meta: { progressToken: 7 } });
    expect(ok.messages[0]).toMatchObject({ method: "notifications/progress", params: { progressToken: 7 } });
  });
});

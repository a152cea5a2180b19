/**
 * Per-definition scopes: lists show only what the caller may use, and using anything else gets the
 * 403 step-up challenge over HTTP in both eras (never a silent success), before the call runs.
 */
import { describe, expect, it } from "vitest";
import {
  type Authenticator,
  type AuthInfo,
  addPrompt,
  addResource,
  addResourceTemplate,
  addTool,
  createHandler,
  McpServer,
  PorticoError,
} from "../src/index.ts";
import { legacySession, modern, modernRequest } from "./_client.ts";

function scopedServer(ran: string[]) {
  const server = new McpServer({ name: "scoped", version: "1.0.0" });
  addTool(server, "read_notes", { scopes: ["notes:read"] }, () => {
    ran.push("read_notes");
    return "notes";
  });
  addTool(server, "write_note", { scopes: ["notes:read", "notes:write"] }, () => {
    ran.push("write_note");
    return "written";
  });
  addTool(server, "ping_all", {}, () => "pong");
  addResource(server, "notes://index", { name: "index", scopes: ["notes:read"] }, () => [
    { uri: "notes://index", text: "index" },
  ]);
  addResourceTemplate(
    server,
    "notes://note/{id}",
    {
      name: "note",
      scopes: ["notes:read"],
      complete: { id: () => ["1", "2"] },
      list: () => [{ uri: "notes://note/1", name: "note 1" }],
    },
    (uri) => [{ uri, text: "a note" }],
  );
  addResource(server, "public://readme", { name: "readme" }, () => [{ uri: "public://readme", text: "hi" }]);
  addPrompt(server, "summarise", { scopes: ["notes:read"] }, () => ({
    messages: [{ role: "user", content: { type: "text", text: "summarise" } }],
  }));
  return server;
}

/** A handler whose caller is whatever `who.auth` says at the time of the request. */
function setup(authenticator?: Partial<Authenticator>) {
  const ran: string[] = [];
  const who: { auth: AuthInfo | undefined } = { auth: undefined };
  const handler = createHandler(scopedServer(ran), {
    auth: { ...authenticator, authenticate: () => who.auth },
  });
  return { handler, who, ran };
}

const names = (list: Record<string, unknown>[] | undefined, key = "name") =>
  (list ?? []).map((item) => item[key]).sort();

describe("per-definition scopes", () => {
  it("lists only what the caller may use, in both eras", async () => {
    const { handler, who } = setup();
    who.auth = { subject: "u", scopes: ["notes:read"] };
    const tools = await modern(handler, "tools/list");
    expect(names(tools.final.result.tools)).toEqual(["ping_all", "read_notes"]);
    const session = await legacySession(handler);
    expect(names((await session.call("tools/list")).final.result.tools)).toEqual(["ping_all", "read_notes"]);

    who.auth = { subject: "u", scopes: [] };
    expect(names((await modern(handler, "tools/list")).final.result.tools)).toEqual(["ping_all"]);
    const resources = (await modern(handler, "resources/list")).final.result.resources;
    expect(names(resources, "uri")).toEqual(["public://readme"]);
    const templates = (await modern(handler, "resources/templates/list")).final.result.resourceTemplates;
    expect(templates).toEqual([]);
    expect((await modern(handler, "prompts/list")).final.result.prompts).toEqual([]);

    who.auth = { subject: "u", scopes: ["notes:read", "notes:write"] };
    expect(names((await modern(handler, "tools/list")).final.result.tools)).toEqual([
      "ping_all",
      "read_notes",
      "write_note",
    ]);
    const all = (await modern(handler, "resources/list")).final.result.resources;
    expect(names(all, "uri")).toEqual(["notes://index", "notes://note/1", "public://readme"]);
  });

  it("answers a call without the scopes with the 403 step-up challenge, and never runs it", async () => {
    const { handler, who, ran } = setup();
    who.auth = { subject: "u", scopes: ["notes:read"] };
    const refused = await handler.fetch(modernRequest("tools/call", { name: "write_note", arguments: {} }));
    expect(refused.status).toBe(403);
    expect(refused.headers.get("www-authenticate")).toBe(
      'Bearer scope="notes:read notes:write", error="insufficient_scope"',
    );
    expect(await refused.json()).toEqual({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32600, message: "Forbidden: insufficient scope" },
    });

    const session = await legacySession(handler);
    const legacy = await session.send({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "write_note", arguments: {} },
    });
    expect(legacy.status).toBe(403);
    expect(legacy.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    expect(ran).toEqual([]);

    // Stepped up: the same calls go through.
    who.auth = { subject: "u", scopes: ["notes:read", "notes:write"] };
    expect(
      (await modern(handler, "tools/call", { name: "write_note", arguments: {} })).final.result,
    ).toMatchObject({
      content: [{ text: "written" }],
    });
    expect((await session.call("tools/call", { name: "write_note", arguments: {} })).status).toBe(200);
    expect(ran).toEqual(["write_note", "write_note"]);
  });

  it("guards resource reads (fixed and templated), prompts, completion and subscriptions", async () => {
    const { handler, who } = setup();
    who.auth = { subject: "u" };
    const status = async (method: string, params: Record<string, unknown>) =>
      (await modern(handler, method, params)).status;
    expect(await status("resources/read", { uri: "notes://index" })).toBe(403);
    expect(await status("resources/read", { uri: "notes://note/7" })).toBe(403);
    expect(await status("resources/read", { uri: "public://readme" })).toBe(200);
    expect(await status("prompts/get", { name: "summarise" })).toBe(403);
    const ref = { type: "ref/resource", uri: "notes://note/{id}" };
    expect(await status("completion/complete", { ref, argument: { name: "id", value: "" } })).toBe(403);
    const session = await legacySession(handler);
    expect((await session.call("resources/subscribe", { uri: "notes://note/1" })).status).toBe(403);

    who.auth = { subject: "u", scopes: ["notes:read"] };
    expect(await status("resources/read", { uri: "notes://note/7" })).toBe(200);
    expect(await status("prompts/get", { name: "summarise" })).toBe(200);
    expect(await status("completion/complete", { ref, argument: { name: "id", value: "" } })).toBe(200);
  });

  it("refuses a legacy batch that carries one call the caller may not make", async () => {
    const { handler, who, ran } = setup();
    who.auth = { subject: "u", scopes: ["notes:read"] };
    const session = await legacySession(handler, "2025-03-26");
    const response = await session.send([
      { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "read_notes", arguments: {} } },
      { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "write_note", arguments: {} } },
    ]);
    expect(response.status).toBe(403);
    expect(ran).toEqual([]);
  });

  it("uses the authenticator's challenge, given what is required and who asks", async () => {
    const seen: unknown[] = [];
    const { handler, who } = setup({
      insufficientScope(_request, required, auth) {
        seen.push([required, auth?.subject]);
        return new Response("step up", { status: 403, headers: { "www-authenticate": "Bearer custom" } });
      },
    });
    who.auth = { subject: "ann", scopes: ["notes:read"] };
    const answer = await handler.fetch(modernRequest("tools/call", { name: "write_note", arguments: {} }));
    expect(answer.status).toBe(403);
    expect(await answer.text()).toBe("step up");
    expect(seen).toEqual([[["notes:read", "notes:write"], "ann"]]);
  });

  it("refuses malformed scopes at registration", () => {
    const server = new McpServer({ name: "s", version: "1" });
    for (const scopes of [["has space"], [""], ['quo"te'], "notes:read", [1]]) {
      expect(() => addTool(server, "t", { scopes: scopes as unknown as string[] }, () => "x")).toThrowError(
        PorticoError,
      );
    }
    expect(() => addTool(server, "t", { scopes: ["notes:read", "a.b/c"] }, () => "x")).not.toThrow();
  });
});

describe("the auth option", () => {
  it("serves the authenticator's own paths, and sends its refusal instead of the call", async () => {
    const server = new McpServer({ name: "s", version: "1" });
    addTool(server, "t", {}, () => "x");
    const logged: unknown[] = [];
    const options = {
      onError: (error: unknown) => void logged.push(error),
      auth: {
        serve: (request) =>
          new URL(request.url).pathname === "/.well-known/oauth-protected-resource"
            ? Response.json({ resource: "http://127.0.0.1/mcp" })
            : undefined,
        authenticate: (request) =>
          request.headers.get("authorization") === "Bearer good"
            ? { subject: "s" }
            : new Response(null, { status: 401, headers: { "www-authenticate": "Bearer" } }),
      } satisfies Authenticator,
    };
    const handler = createHandler(server, options);
    const quiet = createHandler(new McpServer({ name: "q", version: "1" }), options);
    const metadata = await handler.fetch(
      new Request("http://127.0.0.1/.well-known/oauth-protected-resource"),
    );
    expect(await metadata.json()).toEqual({ resource: "http://127.0.0.1/mcp" });
    expect((await modern(handler, "tools/list")).status).toBe(401);
    const ok = await modern(handler, "tools/list", {}, { headers: { authorization: "Bearer good" } });
    expect(ok.status).toBe(200);
    // The Host check still comes first.
    const foreign = await quiet.fetch(
      new Request("http://evil.example/.well-known/oauth-protected-resource", {
        headers: { host: "evil.example" },
      }),
    );
    expect(foreign.status).toBe(403);
    expect(logged).toHaveLength(1);
  });

  it("takes either auth or authenticate, not both", () => {
    const server = new McpServer({ name: "s", version: "1" });
    expect(() =>
      createHandler(server, { auth: { authenticate: () => undefined }, authenticate: () => undefined }),
    ).toThrowError(/either auth or authenticate/);
  });
});

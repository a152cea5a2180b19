/** The definition API fails fast, with a message naming the thing and the fix. */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import {
  addPrompt,
  addResource,
  addResourceTemplate,
  addTool,
  createHandler,
  jsonSchema,
  McpServer,
  PorticoError,
} from "../src/index.ts";
import { modern } from "./_client.ts";

const server = () => new McpServer({ name: "d", version: "1.0.0" });

function refusal(run: () => unknown): PorticoError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PorticoError);
    return error as PorticoError;
  }
  throw new Error("expected a PorticoError");
}

describe("registration fails fast", () => {
  it("refuses a tool input or output schema that does not describe an object", () => {
    const s = server();
    const input = refusal(() => addTool(s, "echo", { input: v.string() }, () => "x"));
    expect(input.code).toBe("invalid_schema");
    expect(input.message).toContain('input schema of tool "echo" must describe an object');
    expect(input.message).toContain('"string"');
    const output = refusal(() => addTool(s, "echo", { output: v.array(v.number()) }, () => "x"));
    expect(output.message).toContain('output schema of tool "echo"');
    expect(refusal(() => addTool(s, "echo", { input: jsonSchema({ type: "string" }) }, () => "x")).code).toBe(
      "invalid_schema",
    );
    expect(
      refusal(() => addTool(s, "echo", { input: jsonSchema({ properties: {} }) }, () => "x")).message,
    ).toContain("an untyped value");
    // Nothing was registered by the refused calls.
    expect(s.registry("tools").size).toBe(0);
  });

  it("refuses a handler that is not a function", () => {
    const e = refusal(() => addTool(server(), "t", {}, "not a function" as never));
    expect(e.code).toBe("invalid_handler");
    expect(e.message).toContain('tool "t"');
    expect(refusal(() => addPrompt(server(), "p", {}, undefined as never)).code).toBe("invalid_handler");
    expect(refusal(() => addResource(server(), "a://b", { name: "b" }, {} as never)).code).toBe(
      "invalid_handler",
    );
    expect(refusal(() => addResourceTemplate(server(), "a://{x}", { name: "x" }, null as never)).code).toBe(
      "invalid_handler",
    );
  });

  it("refuses duplicates and malformed names", () => {
    const s = server();
    addTool(s, "t", {}, () => "x");
    expect(refusal(() => addTool(s, "t", {}, () => "y")).message).toBe('Tool "t" is already registered');
    addPrompt(s, "p", {}, () => ({ messages: [] }));
    expect(refusal(() => addPrompt(s, "p", {}, () => ({ messages: [] }))).code).toBe("duplicate");
    addResource(s, "a://b", { name: "b" }, () => []);
    expect(refusal(() => addResource(s, "a://b", { name: "b2" }, () => [])).code).toBe("duplicate");
    expect(refusal(() => addTool(s, "has space", {}, () => "x")).code).toBe("invalid_name");
    expect(refusal(() => addResource(s, "a://c", {} as never, () => [])).code).toBe("invalid_config");
  });

  it("refuses a secret shorter than 32 bytes, and accepts 32", () => {
    const e = refusal(() => createHandler(server(), { secret: "short-but-not-32-bytes" }));
    expect(e.code).toBe("invalid_secret");
    expect(e.message).toContain("at least 32 bytes");
    expect(refusal(() => createHandler(server(), { secret: new Uint8Array(31) })).code).toBe(
      "invalid_secret",
    );
    expect(() => createHandler(server(), { secret: "x".repeat(32) }).close()).not.toThrow();
    expect(() => createHandler(server(), { secret: new Uint8Array(32) }).close()).not.toThrow();
  });

  it("refuses non-function middleware and a bad server", () => {
    expect(refusal(() => server().use("nope" as never)).code).toBe("invalid_middleware");
    expect(refusal(() => new McpServer({ name: "", version: "1" })).code).toBe("invalid_server");
  });
});

describe("the definition API", () => {
  it("description is optional and absent from tools/list when not given", async () => {
    const s = server();
    addTool(s, "bare", {}, () => "x");
    const handler = createHandler(s);
    const list = await modern(handler, "tools/list");
    expect(list.final.result.tools).toEqual([
      { name: "bare", inputSchema: { type: "object", properties: {} } },
    ]);
    handler.close();
  });

  it("a removed definition leaves its list and emits list_changed once", () => {
    const s = server();
    const events: unknown[] = [];
    s.subscribe((e) => events.push(e));
    const registration = addTool(s, "t", {}, () => "x");
    registration.remove();
    registration.remove();
    expect(s.registry("tools").size).toBe(0);
    expect(events).toEqual([
      { type: "list_changed", kind: "tools" },
      { type: "list_changed", kind: "tools" },
    ]);
  });

  it("prompt arguments arrive typed and completions are keyed by argument", async () => {
    const s = server();
    addPrompt(
      s,
      "review",
      {
        arguments: [{ name: "code", required: true }, { name: "tone" }],
        complete: { tone: (value) => ["terse", "friendly"].filter((t) => t.startsWith(value)) },
      },
      ({ code, tone }) => ({
        messages: [{ role: "user", content: { type: "text", text: `${tone ?? "plain"}: ${code}` } }],
      }),
    );
    const handler = createHandler(s);
    const got = await modern(handler, "prompts/get", { name: "review", arguments: { code: "x = 1" } });
    expect(got.final.result.messages[0].content.text).toBe("plain: x = 1");
    const done = await modern(handler, "completion/complete", {
      ref: { type: "ref/prompt", name: "review" },
      argument: { name: "tone", value: "f" },
    });
    expect(done.final.result.completion.values).toEqual(["friendly"]);
    handler.close();
  });
});

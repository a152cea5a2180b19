import { McpServer, PorticoError } from "@portico/core";
import { describe, expect, it } from "vitest";
import { loadDefinitions } from "../src/index.ts";
import { listed, modern, testHandler } from "./_helpers.ts";

const YAML = `
resources:
  - uri: docs://readme
    name: readme
    mimeType: text/markdown
    text: |
      # Read me
prompts:
  - name: review
    description: Review some code
    arguments:
      - { name: code, required: true }
      - { name: tone }
    messages:
      - role: user
        text: "Review this {tone} code: {code}"
      - role: assistant
        text: Looking at {code}.
tools:
  - name: ping
    http: { method: GET, url: "https://example.com/ping" }
`;

const JSON_TEXT = JSON.stringify({
  resources: [{ uri: "docs://readme", name: "readme", mimeType: "text/markdown", text: "# Read me\n" }],
  prompts: [
    {
      name: "review",
      description: "Review some code",
      arguments: [{ name: "code", required: true }, { name: "tone" }],
      messages: [
        { role: "user", text: "Review this {tone} code: {code}" },
        { role: "assistant", text: "Looking at {code}." },
      ],
    },
  ],
  tools: [{ name: "ping", http: { method: "GET", url: "https://example.com/ping" } }],
});

describe("loadDefinitions", () => {
  it("reads YAML and JSON alike", async () => {
    const a = testHandler();
    const b = testHandler();
    const fromYaml = loadDefinitions(a.server, YAML);
    const fromJson = loadDefinitions(b.server, JSON_TEXT);
    expect({ ...fromYaml, remove: undefined }).toEqual({ ...fromJson, remove: undefined });
    for (const kind of ["tools", "resources", "prompts"] as const)
      expect(await listed(a.handler, kind)).toEqual(await listed(b.handler, kind));
    expect((await modern(a.handler, "tools/list")).result).toEqual(
      (await modern(b.handler, "tools/list")).result,
    );
    expect(fromYaml.tools).toEqual(["ping"]);
  });

  it("serves a static resource", async () => {
    const { server, handler } = testHandler();
    loadDefinitions(server, YAML);
    const read = await modern(handler, "resources/read", { uri: "docs://readme" });
    expect(read.result.contents).toEqual([
      { uri: "docs://readme", mimeType: "text/markdown", text: "# Read me\n" },
    ]);
    const list = await modern(handler, "resources/list");
    expect(list.result.resources).toEqual([
      { uri: "docs://readme", name: "readme", mimeType: "text/markdown" },
    ]);
  });

  it("renders prompts, optional arguments left out reading as empty", async () => {
    const { server, handler } = testHandler();
    loadDefinitions(server, YAML);
    const got = await modern(handler, "prompts/get", {
      name: "review",
      arguments: { code: "x = 1", tone: "careful" },
    });
    expect(got.result).toMatchObject({
      description: "Review some code",
      messages: [
        { role: "user", content: { type: "text", text: "Review this careful code: x = 1" } },
        { role: "assistant", content: { type: "text", text: "Looking at x = 1." } },
      ],
    });
    const bare = await modern(handler, "prompts/get", { name: "review", arguments: { code: "y" } });
    expect(bare.result.messages[0].content.text).toBe("Review this  code: y");
    const missing = await modern(handler, "prompts/get", { name: "review", arguments: {} });
    expect(missing.error?.message).toMatch(/code/);
  });

  it("remove() takes everything away; a failure registers nothing", () => {
    const server = new McpServer({ name: "s", version: "1" });
    const loaded = loadDefinitions(server, YAML);
    expect(server.registry("tools").size).toBe(1);
    loaded.remove();
    for (const kind of ["tools", "resources", "prompts"]) expect(server.registry(kind).size).toBe(0);
    loadDefinitions(server, { tools: [{ name: "ping", http: { method: "GET", url: "https://a/" } }] });
    expect(() => loadDefinitions(server, YAML)).toThrow('Tool "ping" is already registered');
    expect(server.registry("resources").size).toBe(0);
  });

  it("needs every environment placeholder a tool uses in the env option", () => {
    const server = new McpServer({ name: "s", version: "1" });
    const source = {
      tools: [
        {
          name: "t",
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the file format's ${ENV} placeholder, not a template
          http: { method: "GET", url: "https://a/", headers: { authorization: "Bearer ${TOKEN}" } },
        },
      ],
    };
    expect(() => loadDefinitions(server, source)).toThrow(PorticoError);
    expect(() => loadDefinitions(server, source)).toThrow(
      'tool "t": environment variable TOKEN is not in the env option',
    );
    expect(loadDefinitions(server, source, { env: { TOKEN: "s3cret" } }).tools).toEqual(["t"]);
  });
});

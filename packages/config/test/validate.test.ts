import { PorticoError } from "@portico/core";
import { describe, expect, it } from "vitest";
import { parseDefinitions, validateDefinition } from "../src/index.ts";

const http = { method: "GET", url: "https://api.example.com/items/{id}" };
const tool = (over: Record<string, unknown> = {}) => ({
  name: "get_item",
  input: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
  http,
  ...over,
});

function errorOf(source: unknown): PorticoError {
  try {
    parseDefinitions(source as object);
  } catch (error) {
    expect(error).toBeInstanceOf(PorticoError);
    expect((error as PorticoError).code).toBe("invalid_config");
    return error as PorticoError;
  }
  throw new Error("no error");
}

describe("validation", () => {
  it("accepts a complete document", () => {
    const document = {
      tools: [tool()],
      resources: [{ uri: "docs://readme", name: "readme", mimeType: "text/markdown", text: "# Hi" }],
      prompts: [
        {
          name: "greet",
          arguments: [{ name: "who", required: true }],
          messages: [{ role: "user", text: "Say hello to {who}" }],
        },
      ],
    };
    expect(parseDefinitions(document)).toEqual(document);
  });

  it.each([
    [
      { tools: [tool({ name: "a" }), tool({ name: "b" }), tool({ http: { ...http, method: "FETCH" } })] },
      "tools[2].http.method: must be GET, POST, PUT, PATCH or DELETE",
    ],
    [{ tools: [tool({ name: "" })] }, "tools[0].name: must be a non-empty string"],
    [
      { tools: [tool({ name: "has space" })] },
      "tools[0].name: must be 1-128 characters of A-Z a-z 0-9 _ - . /",
    ],
    [
      { tools: [tool({ http: { ...http, url: "ftp://x/{id}" } })] },
      "tools[0].http.url: must start with http:// or https://",
    ],
    [
      { tools: [tool({ http: { ...http, url: "https://x/{nope}" } })] },
      'tools[0].http.url: argument "nope" is not a property of the input schema',
    ],
    [
      { tools: [tool({ http: { ...http, body: "arguments" } })] },
      "tools[0].http.body: a GET request has no body",
    ],
    [
      { tools: [tool({ http: { ...http, method: "POST", body: "all" } })] },
      "tools[0].http.body: must be an array of strings",
    ],
    [
      { tools: [tool({ http: { ...http, timeoutMs: -1 } })] },
      "tools[0].http.timeoutMs: must be a positive integer of at most 2147483647 (about 24.8 days), got -1",
    ],
    [
      { tools: [tool({ http: { ...http, headers: { "x-n": 1 } } })] },
      "tools[0].http.headers.x-n: must be a string",
    ],
    [{ tools: [tool({ input: { type: "array" } })] }, 'tools[0].input.type: must be "object"'],
    [
      { tools: [tool({ extra: true })] },
      "tools[0].extra: unknown key (expected one of name, title, description, input, annotations, tags, http)",
    ],
    [{ tools: [tool(), tool()] }, 'tools[1]: duplicate name "get_item"'],
    [{ tools: {} }, "tools: must be an array"],
    [{ tool: [] }, "(document).tool: unknown key (expected one of tools, resources, prompts)"],
    [
      { resources: [{ uri: "readme", name: "r", text: "" }] },
      "resources[0].uri: must be an absolute URI (scheme:…)",
    ],
    [{ resources: [{ uri: "docs://a", name: "r" }] }, "resources[0].text: must be a string"],
    [{ prompts: [{ name: "p", messages: [] }] }, "prompts[0].messages: must have at least one message"],
    [
      { prompts: [{ name: "p", messages: [{ role: "system", text: "" }] }] },
      'prompts[0].messages[0].role: must be "user" or "assistant"',
    ],
    [
      { prompts: [{ name: "p", messages: [{ role: "user", text: "{who}" }] }] },
      "prompts[0].messages[0].text: {who} is not a declared argument",
    ],
    [
      {
        prompts: [
          { name: "p", arguments: [{ name: "a", required: "yes" }], messages: [{ role: "user", text: "" }] },
        ],
      },
      "prompts[0].arguments[0].required: must be true or false",
    ],
  ])("rejects %j", (document, message) => {
    expect(errorOf(document).message).toBe(message);
  });

  it("rejects unreadable text and non-objects", () => {
    expect(errorOf("tools: [").message).toMatch(/^\(document\): not valid JSON or YAML/);
    expect(errorOf("- 1\n- 2").message).toBe("(document): must be an object");
  });

  it("checks a single definition by kind", () => {
    expect(() => validateDefinition("tools", { name: "x" })).toThrow("tools[0].http: must be an object");
    expect(validateDefinition("resources", { uri: "a://b", name: "b", text: "t" })).toEqual({
      uri: "a://b",
      name: "b",
      text: "t",
    });
  });
});

/**
 * Cyclic schemas: each tool schema stands alone (its `$ref`s point into its own `$defs`),
 * serialises as JSON, and validates nested values through the cycle. Every example document of
 * @readme/oas-examples converts.
 */
import { readdirSync } from "node:fs";
import { McpServer } from "@portico/core";
import { describe, expect, it } from "vitest";
import { fromOpenAPI } from "../src/index.ts";
import { callTool, handlerOf } from "./_mcp.ts";
import { specText } from "./_specs.ts";

/** Every `$ref` of a schema resolves inside it. */
function expectSelfContained(schema: Record<string, any>): void {
  const text = JSON.stringify(schema);
  expect(JSON.parse(text)).toEqual(schema);
  for (const [, ref] of text.matchAll(/"\$ref":"([^"]*)"/g)) {
    expect(ref).toMatch(/^#\/\$defs\//);
    expect(schema.$defs?.[(ref as string).slice("#/$defs/".length)]).toBeDefined();
  }
}

async function convert(text: string) {
  const server = new McpServer({ name: "circular", version: "1.0.0" });
  const calls: unknown[] = [];
  const registration = await fromOpenAPI(server, text, {
    baseUrl: "https://api.test",
    validateOutput: true,
    fetch: async (request) => {
      const body = await request.text();
      calls.push(body === "" ? undefined : JSON.parse(body));
      return Response.json(body === "" ? {} : JSON.parse(body));
    },
  });
  const tools = [...server.registry<any>("tools").values()];
  return { server, registration, tools, calls, handler: handlerOf(server) };
}

describe("cyclic schemas", () => {
  it("circular-request-bodies.json: self, two-hop, oneOf and multiple cycles as $defs", async () => {
    const { registration, tools } = await convert(
      specText("@readme/oas-examples", "3.0/json/circular-request-bodies.json"),
    );
    expect(registration.tools).toEqual([
      "directCircular",
      "indirectCircular",
      "polymorphicCircular",
      "multipleCircular",
    ]);
    for (const tool of tools) {
      expectSelfContained(tool.input.jsonSchema);
      expectSelfContained(tool.output.jsonSchema);
    }
    const direct = tools.find((t) => t.name === "directCircular").input.jsonSchema;
    expect(direct.properties.parent).toEqual({ $ref: "#/$defs/TreeNode" });
    expect(direct.properties.children).toEqual({ type: "array", items: { $ref: "#/$defs/TreeNode" } });
    expect(Object.keys(direct.$defs)).toEqual(["TreeNode"]);
    const indirect = tools.find((t) => t.name === "indirectCircular").input.jsonSchema;
    expect(Object.keys(indirect.$defs).sort()).toEqual(["Company", "Person"]);
  });

  it("arguments are checked through the cycle, and sent as they are", async () => {
    const { handler, calls } = await convert(
      specText("@readme/oas-examples", "3.0/json/circular-request-bodies.json"),
    );
    const grandparent = { id: "1", name: "root", parent: { id: "0", name: "void", parent: {} } };
    const node = { id: "2", name: "leaf", parent: grandparent, children: [] };
    // TreeNode.parent is required at every level, so the innermost `{}` is refused.
    const refused = await callTool(handler, "directCircular", node);
    expect(refused.isError).toBe(true);
    expect(refused.content[0]?.text).toContain("/parent/parent/parent");
    expect(calls).toEqual([]);

    const person = {
      name: "Ann",
      employer: { name: "Acme", ceo: { name: "Bob", employer: { name: "Sub" } } },
    };
    const ok = await callTool(handler, "indirectCircular", person);
    expect(ok.isError).toBeUndefined();
    expect(calls).toEqual([person]);
    expect(ok.structuredContent).toEqual(person);
  });

  it("a cyclic array response is wrapped as { result } with the $defs at the top", async () => {
    const doc = {
      openapi: "3.0.3",
      info: { title: "t", version: "1" },
      paths: {
        "/nodes": {
          get: {
            operationId: "listNodes",
            responses: {
              "200": {
                description: "ok",
                content: {
                  "application/json": {
                    schema: { type: "array", items: { $ref: "#/components/schemas/Node" } },
                  },
                },
              },
            },
          },
        },
      },
      components: {
        schemas: {
          Node: { type: "object", properties: { next: { $ref: "#/components/schemas/Node" } } },
        },
      },
    };
    const { tools } = await convert(JSON.stringify(doc));
    expect(tools[0].output.jsonSchema).toEqual({
      type: "object",
      properties: { result: { type: "array", items: { $ref: "#/$defs/Node" } } },
      required: ["result"],
      $defs: { Node: { type: "object", properties: { next: { $ref: "#/$defs/Node" } } } },
    });
  });

  const docs = [
    ...readdirSync(new URL("../node_modules/@readme/oas-examples/3.0/json/", import.meta.url))
      .filter((f) => f.endsWith(".json"))
      .map((f) => `3.0/json/${f}`),
    ...readdirSync(new URL("../node_modules/@readme/oas-examples/3.1/json/", import.meta.url))
      .filter((f) => f.endsWith(".json"))
      .map((f) => `3.1/json/${f}`),
  ];

  it.each(docs)("@readme/oas-examples %s converts into self-contained schemas", async (file) => {
    const { registration, tools } = await convert(specText("@readme/oas-examples", file));
    expect(tools.length).toBe(registration.tools.length);
    for (const tool of tools) {
      expectSelfContained(tool.input.jsonSchema);
      if (tool.output) expectSelfContained(tool.output.jsonSchema);
    }
  });
});

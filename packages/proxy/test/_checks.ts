/** The same checks against a proxied upstream, called through Portico in both eras. */
import type { JsonRpcMessage } from "@portico/test-kit";
import { beforeAll, describe, expect, it } from "vitest";
import { type Front, legacySession, modern } from "./_front.ts";

type Call = (method: string, params?: Record<string, unknown>) => Promise<JsonRpcMessage>;

export function describeProxiedChecks(getFront: () => Front): void {
  for (const era of ["modern", "legacy"] as const) {
    describe(`called in the ${era} era`, () => {
      let call: Call;
      beforeAll(async () => {
        const { handler } = getFront();
        call =
          era === "modern"
            ? (method, params) => modern(handler, method, params)
            : await legacySession(handler);
      });

      it("lists the remote's tools with their schemas, title, description and annotations", async () => {
        const answer = await call("tools/list");
        const tools = answer.result.tools as Record<string, any>[];
        expect(tools.map((t) => t.name).sort()).toEqual(["add", "fail", "slow"]);
        const add = tools.find((t) => t.name === "add");
        expect(add).toMatchObject({
          title: "Add",
          description: "Adds two numbers",
          annotations: { readOnlyHint: true },
          inputSchema: {
            type: "object",
            properties: { a: { type: "number", description: "first" }, b: { type: "number" } },
            required: ["a", "b"],
          },
          outputSchema: { type: "object", properties: { sum: { type: "number" } } },
        });
      });

      it("forwards a call and returns the remote's result", async () => {
        const answer = await call("tools/call", { name: "add", arguments: { a: 2, b: 3 } });
        expect(answer.result).toMatchObject({
          content: [{ type: "text", text: "5" }],
          structuredContent: { sum: 5 },
        });
        expect(answer.result.isError).toBeUndefined();
      });

      it("passes an isError result through", async () => {
        const answer = await call("tools/call", { name: "fail", arguments: {} });
        expect(answer.result).toMatchObject({
          content: [{ type: "text", text: "intentional failure" }],
          isError: true,
        });
      });

      it("answers an unknown tool with an error", async () => {
        const answer = await call("tools/call", { name: "nope", arguments: {} });
        expect(answer.error?.code).toBe(-32602);
        expect(answer.error?.message).toContain("nope");
      });

      it("lists and reads resources and templates", async () => {
        const list = await call("resources/list");
        expect(list.result.resources).toEqual([
          expect.objectContaining({ uri: "note://a", mimeType: "text/plain", description: "Note A" }),
        ]);
        const templates = await call("resources/templates/list");
        expect(templates.result.resourceTemplates).toEqual([
          expect.objectContaining({ uriTemplate: "note://{id}", description: "Any note" }),
        ]);
        const read = await call("resources/read", { uri: "note://a" });
        expect(read.result.contents).toEqual([
          { uri: "note://a", mimeType: "text/plain", text: "hello from a" },
        ]);
        const templated = await call("resources/read", { uri: "note://42" });
        expect(templated.result.contents).toEqual([{ uri: "note://42", text: "note 42" }]);
      });

      it("lists and gets a prompt", async () => {
        const list = await call("prompts/list");
        expect(list.result.prompts).toEqual([
          expect.objectContaining({
            name: "greet",
            description: "Greets someone",
            arguments: [expect.objectContaining({ name: "name", required: true })],
          }),
        ]);
        const got = await call("prompts/get", { name: "greet", arguments: { name: "Ada" } });
        expect(got.result.messages).toEqual([
          { role: "user", content: { type: "text", text: "Hello, Ada!" } },
        ]);
      });
    });
  }
}

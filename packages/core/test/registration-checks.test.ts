/**
 * Registration fails at once, with a PorticoError naming what is wrong, for definitions that would
 * otherwise break later (a list that fails for every client, a call that always answers -32603):
 * a config that is not an object, a `use` that is not middleware, prompt arguments that are not
 * uniquely named objects, completers and template lists that are not functions, and custom methods
 * without a handler or eras, or that the protocol answers itself.
 */
import { describe, expect, it } from "vitest";
import {
  addMethods,
  addPrompt,
  addResource,
  addResourceTemplate,
  addTool,
  McpServer,
  PorticoError,
} from "../src/index.ts";

const server = () => new McpServer({ name: "r", version: "1" });
const refused = (register: () => unknown, message: RegExp) => {
  expect(register).toThrowError(PorticoError);
  expect(register).toThrowError(message);
};
const noop = () => "x";

describe("registration refuses at once", () => {
  it("a definition's config that is not an object, or a use that is not an array of middleware", () => {
    refused(
      () => addTool(server(), "t", undefined as never, noop),
      /The config of tool "t" must be an object/,
    );
    refused(() => addPrompt(server(), "p", null as never, () => ({ messages: [] })), /prompt "p"/);
    refused(
      () => addTool(server(), "t", { use: [false as never] }, noop),
      /The use of tool "t" must be an array of middleware functions/,
    );
    refused(
      () => addTool(server(), "t", { use: (() => {}) as never }, noop),
      /must be an array of middleware/,
    );
    refused(
      () => addResource(server(), "a://b", { name: "b", use: [1 as never] }, () => []),
      /The use of resource "a:\/\/b"/,
    );
  });

  it("prompt arguments that are not an array of uniquely named objects, and completers that are not functions", () => {
    const get = () => ({ messages: [] });
    refused(() => addPrompt(server(), "p", { arguments: "code" as never }, get), /must be an array/);
    refused(
      () => addPrompt(server(), "p", { arguments: [{ name: "a" }, { name: "a" }] }, get),
      /name "a" twice/,
    );
    refused(() => addPrompt(server(), "p", { arguments: [{} as never] }, get), /non-empty name/);
    refused(
      () => addPrompt(server(), "p", { arguments: [{ name: "a" }], complete: { a: "x" as never } }, get),
      /The complete of prompt "p" must be an object of completer functions/,
    );
  });

  it("a template whose list or completers are not functions", () => {
    refused(
      () => addResourceTemplate(server(), "a://r/{x}", { name: "r", list: [] as never }, () => []),
      /The list of resource template "a:\/\/r\/\{x\}" must be a function/,
    );
    refused(
      () => addResourceTemplate(server(), "a://r/{x}", { name: "r", complete: { x: 1 as never } }, () => []),
      /must be an object of completer functions/,
    );
  });

  it("custom methods without a handler or eras, or that the protocol answers itself", () => {
    const family = (spec: unknown, method = "acme/x") => ({
      name: "acme",
      methods: { [method]: spec as never },
    });
    refused(
      () => addMethods(server(), family({ eras: ["modern"], handler: "nope" })),
      /needs a handler function/,
    );
    refused(() => addMethods(server(), family({ eras: [], handler: noop })), /needs eras/);
    refused(() => addMethods(server(), family({ eras: ["future"], handler: noop })), /needs eras/);
    refused(
      () => addMethods(server(), family({ eras: ["modern"], handler: noop }, "subscriptions/listen")),
      /answered by the protocol itself/,
    );
    expect(() =>
      addMethods(server(), family({ eras: ["modern", "legacy"], handler: () => ({}) })),
    ).not.toThrow();
  });

  it("still takes every well-formed definition", () => {
    const s = server();
    addTool(s, "t", { use: [async (_call, next) => next()] }, noop);
    addPrompt(
      s,
      "p",
      { arguments: [{ name: "a", required: true }, { name: "b" }], complete: { a: () => [] } },
      () => ({
        messages: [],
      }),
    );
    addResourceTemplate(s, "a://r/{x}", { name: "r", list: () => [], complete: { x: () => [] } }, () => []);
    expect(s.registry("tools").size + s.registry("prompts").size + s.registry("templates").size).toBe(3);
  });
});

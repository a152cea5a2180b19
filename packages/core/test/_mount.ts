/** A child server with one of each kind of definition, and a parent it is mounted into, for the mount tests. */
import * as v from "valibot";
import {
  addPrompt,
  addResource,
  addResourceTemplate,
  addTool,
  McpServer,
  mount,
  PorticoError,
} from "../src/index.ts";

/** What the child's handlers received, in order. */
export const seen: unknown[] = [];

export function calc(): McpServer {
  const child = new McpServer({ name: "calc", version: "1.0.0" });
  addTool(child, "add", { input: v.object({ a: v.number(), b: v.number() }) }, (args) => {
    seen.push(args);
    return String(args.a + args.b);
  });
  addPrompt(child, "greet", { arguments: [{ name: "who", required: true }] }, (args) => {
    seen.push(args);
    return { messages: [{ role: "user", content: { type: "text", text: `hi ${args.who}` } }] };
  });
  addResource(child, "note://a", { name: "a" }, (uri) => {
    seen.push(uri);
    return [{ uri, text: "A" }];
  });
  addResource(child, "urn:x", { name: "x" }, (uri) => [{ uri, text: "X" }]);
  addResourceTemplate(
    child,
    "note://{id}",
    { name: "note", list: () => [{ uri: "note://7", name: "seven" }] },
    (uri, variables) => {
      seen.push([uri, variables]);
      return [{ uri, text: `note ${variables.id}` }];
    },
  );
  return child;
}

export function mounted(): { parent: McpServer; child: McpServer } {
  const parent = new McpServer({ name: "app", version: "1.0.0" });
  const child = calc();
  mount(parent, "calc", child);
  return { parent, child };
}

export const names = (items: { name: string }[]) => items.map((i) => i.name);
export const uris = (items: { uri: string }[]) => items.map((i) => i.uri);

export const codeOf = (f: () => unknown): string => {
  try {
    f();
  } catch (error) {
    return error instanceof PorticoError ? error.code : `not a PorticoError: ${error}`;
  }
  return "no error";
};

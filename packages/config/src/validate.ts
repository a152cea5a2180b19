/**
 * Strict validation of a definitions document: every error is a `PorticoError("invalid_config",
 * "<path>: <what>")` naming the first offending place, e.g. `tools[2].http.method: must be GET,
 * POST, PUT, PATCH or DELETE`. Unknown keys are errors too, so a typo never passes silently.
 */
import { PorticoError } from "@portico/core";
import { isTimerMs, MAX_TIMER_MS } from "@portico/host";
import { placeholdersOf } from "./placeholders.ts";
import type {
  ConfigDocument,
  DefinitionKind,
  DefinitionOf,
  HttpCall,
  PromptDef,
  ResourceDef,
  ToolDef,
} from "./types.ts";
import { KINDS, keyOf } from "./types.ts";

type Obj = Record<string, unknown>;

const TOOL_NAME = /^[A-Za-z0-9_.\-/]{1,128}$/;
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

function fail(path: string, what: string): never {
  throw new PorticoError("invalid_config", `${path}: ${what}`);
}

function object(value: unknown, path: string): Obj {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(path, "must be an object");
  return value as Obj;
}

function keys(value: Obj, path: string, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) fail(`${path}.${key}`, `unknown key (expected one of ${allowed.join(", ")})`);
  }
}

function text(value: unknown, path: string, optional = false): string | undefined {
  if (value === undefined && optional) return undefined;
  if (typeof value !== "string" || value === "") fail(path, "must be a non-empty string");
  return value;
}

function optionalText(value: Obj, key: string, path: string): void {
  if (value[key] !== undefined && typeof value[key] !== "string") fail(`${path}.${key}`, "must be a string");
}

function strings(value: unknown, path: string): string[] {
  if (!Array.isArray(value)) fail(path, "must be an array of strings");
  value.forEach((item, i) => {
    text(item, `${path}[${i}]`);
  });
  return value as string[];
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, "must be an array");
  return value;
}

function checkHttp(value: unknown, path: string, declared: Set<string> | undefined): HttpCall {
  const http = object(value, path);
  keys(http, path, ["method", "url", "headers", "query", "body", "timeoutMs"]);
  if (typeof http.method !== "string" || !METHODS.includes(http.method))
    fail(`${path}.method`, "must be GET, POST, PUT, PATCH or DELETE");
  const url = text(http.url, `${path}.url`) as string;
  if (!/^https?:\/\//.test(url)) fail(`${path}.url`, "must start with http:// or https://");
  const used = (names: string[], where: string) => {
    for (const name of names)
      if (declared !== undefined && !declared.has(name))
        fail(where, `argument "${name}" is not a property of the input schema`);
  };
  used(placeholdersOf(url), `${path}.url`);
  if (http.headers !== undefined) {
    const headers = object(http.headers, `${path}.headers`);
    for (const [name, header] of Object.entries(headers)) {
      if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name))
        fail(`${path}.headers`, `"${name}" is not a header name`);
      if (typeof header !== "string") fail(`${path}.headers.${name}`, "must be a string");
      used(placeholdersOf(header), `${path}.headers.${name}`);
    }
  }
  if (http.query !== undefined) used(strings(http.query, `${path}.query`), `${path}.query`);
  if (http.body !== undefined) {
    if (http.body !== "arguments") used(strings(http.body, `${path}.body`), `${path}.body`);
    if (http.method === "GET") fail(`${path}.body`, "a GET request has no body");
  }
  checkTimeoutMs(http.timeoutMs, `${path}.timeoutMs`);
  return http as unknown as HttpCall;
}

/**
 * An HTTP tool's `timeoutMs`, unless absent: a whole number of ms from 1 to {@link MAX_TIMER_MS}. A
 * timer longer than 2^31−1 ms fires at once (or throws), so every call would be abandoned.
 */
export function checkTimeoutMs(value: unknown, path: string): void {
  if (value === undefined) return;
  if (!(Number.isInteger(value) && isTimerMs(value, 1)))
    fail(
      path,
      `must be a positive integer of at most ${MAX_TIMER_MS} (about 24.8 days), got ${String(value)}`,
    );
}

function checkTool(value: unknown, path: string): ToolDef {
  const tool = object(value, path);
  keys(tool, path, ["name", "title", "description", "input", "annotations", "tags", "http"]);
  const name = text(tool.name, `${path}.name`) as string;
  if (!TOOL_NAME.test(name)) fail(`${path}.name`, "must be 1-128 characters of A-Z a-z 0-9 _ - . /");
  optionalText(tool, "title", path);
  optionalText(tool, "description", path);
  let declared: Set<string> | undefined;
  if (tool.input !== undefined) {
    const input = object(tool.input, `${path}.input`);
    if (input.type !== "object") fail(`${path}.input.type`, 'must be "object"');
    if (input.properties !== undefined)
      declared = new Set(Object.keys(object(input.properties, `${path}.input.properties`)));
  }
  if (tool.annotations !== undefined) object(tool.annotations, `${path}.annotations`);
  if (tool.tags !== undefined) strings(tool.tags, `${path}.tags`);
  checkHttp(tool.http, `${path}.http`, declared);
  return tool as unknown as ToolDef;
}

function checkResource(value: unknown, path: string): ResourceDef {
  const resource = object(value, path);
  keys(resource, path, ["uri", "name", "title", "description", "mimeType", "text"]);
  const uri = text(resource.uri, `${path}.uri`) as string;
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(uri)) fail(`${path}.uri`, "must be an absolute URI (scheme:…)");
  text(resource.name, `${path}.name`);
  for (const key of ["title", "description", "mimeType"]) optionalText(resource, key, path);
  if (typeof resource.text !== "string") fail(`${path}.text`, "must be a string");
  return resource as unknown as ResourceDef;
}

function checkPrompt(value: unknown, path: string): PromptDef {
  const prompt = object(value, path);
  keys(prompt, path, ["name", "title", "description", "arguments", "messages"]);
  text(prompt.name, `${path}.name`);
  optionalText(prompt, "title", path);
  optionalText(prompt, "description", path);
  const names = new Set<string>();
  if (prompt.arguments !== undefined) {
    array(prompt.arguments, `${path}.arguments`).forEach((item, i) => {
      const at = `${path}.arguments[${i}]`;
      const arg = object(item, at);
      keys(arg, at, ["name", "description", "required"]);
      const name = text(arg.name, `${at}.name`) as string;
      if (names.has(name)) fail(`${at}.name`, `duplicate argument "${name}"`);
      names.add(name);
      optionalText(arg, "description", at);
      if (arg.required !== undefined && typeof arg.required !== "boolean")
        fail(`${at}.required`, "must be true or false");
    });
  }
  const messages = array(prompt.messages, `${path}.messages`);
  if (messages.length === 0) fail(`${path}.messages`, "must have at least one message");
  messages.forEach((item, i) => {
    const at = `${path}.messages[${i}]`;
    const message = object(item, at);
    keys(message, at, ["role", "text"]);
    if (message.role !== "user" && message.role !== "assistant")
      fail(`${at}.role`, 'must be "user" or "assistant"');
    if (typeof message.text !== "string") fail(`${at}.text`, "must be a string");
    for (const name of placeholdersOf(message.text))
      if (!names.has(name)) fail(`${at}.text`, `{${name}} is not a declared argument`);
  });
  return prompt as unknown as PromptDef;
}

const CHECKS: { [K in DefinitionKind]: (value: unknown, path: string) => DefinitionOf[K] } = {
  tools: checkTool,
  resources: checkResource,
  prompts: checkPrompt,
};

/** Checks one definition of `kind`; `path` names it in errors (default `kind[0]`). */
export function validateDefinition<K extends DefinitionKind>(
  kind: K,
  value: unknown,
  path = `${kind}[0]`,
): DefinitionOf[K] {
  if (!KINDS.includes(kind)) fail("kind", "must be tools, resources or prompts");
  return CHECKS[kind](value, path) as DefinitionOf[K];
}

/** Checks a whole document, duplicates within a kind included; returns it typed. */
export function validateDocument(value: unknown): ConfigDocument {
  const document = object(value, "(document)");
  keys(document, "(document)", KINDS);
  for (const kind of KINDS) {
    if (document[kind] === undefined) continue;
    const seen = new Set<string>();
    array(document[kind], kind).forEach((item, i) => {
      const def = validateDefinition(kind, item, `${kind}[${i}]`);
      const key = keyOf(kind, def);
      if (seen.has(key)) fail(`${kind}[${i}]`, `duplicate ${kind === "resources" ? "uri" : "name"} "${key}"`);
      seen.add(key);
    });
  }
  return document as ConfigDocument;
}

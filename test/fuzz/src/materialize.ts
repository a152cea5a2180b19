/**
 * Turns a generated {@link FuzzCase} into the bytes and headers of one request: the base request
 * from test-kit's builders (`legacyPost`, `legacyGet`, `legacyDelete`, `initializeBody`, `jsonRpc`,
 * `notification`, `modernPost`), values of the run's {@link Pool} in place of `Ref`s, then the
 * case's mutations of the JSON body, of its text and bytes, and of its headers; mirrored headers
 * last, from the final body. Header values end up as byte strings an HTTP client can send.
 */
import {
  encodeHeaderValue,
  initializeBody,
  type JsonRpcMessage,
  jsonRpc,
  legacyDelete,
  legacyGet,
  legacyPost,
  MODERN_VERSION,
  modernPost,
  notification,
} from "@portico/test-kit";
import {
  type Base,
  type BodyOp,
  type FuzzCase,
  type HeaderValue,
  type LegacyMessage,
  MAX_BODY_BYTES,
  Mirror,
  ownObject,
  Ref,
  type TextOp,
} from "./arbitraries.ts";
import { type Pool, rawOf } from "./pool.ts";
import { FRAMING_HEADERS, type RawRequest, type Transport } from "./transport.ts";

export interface Materialized {
  raw: RawRequest;
  /** The final body parsed as JSON, when it is JSON (`undefined` otherwise). */
  json: unknown;
  /** GET streams and `subscriptions/listen`: read up to the first event, then leave. */
  longLived: boolean;
  /** The pool slot whose session the request carries, if any. */
  slot: number | undefined;
}

const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const lossyUtf8 = new TextDecoder();

/** A header value as bytes an HTTP client may send: UTF-8, one char per byte, no control characters. */
export function byteString(value: string): string {
  let out = "";
  for (const byte of encoder.encode(value)) {
    if (byte === 9 || (byte >= 0x20 && byte !== 0x7f)) out += String.fromCharCode(byte);
  }
  return out.replace(/^[ \t]+|[ \t]+$/g, "");
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function resolveRef(ref: Ref, pool: Pool, slot: number): string {
  switch (ref.kind) {
    case "session":
      return pool.session(ref.slot).id;
    case "sessionVersion":
      return pool.session(ref.slot).spec.version;
    case "event":
      return pool.event(ref.slot, ref.index) ?? "none/1";
    case "cursor":
      return pool.cursor(ref.index) ?? "bm8tY3Vyc29y";
    case "serverRequest":
      return pool.serverRequest(slot, ref.index) ?? "s-none";
  }
}

/** `value` with every `Ref` replaced (objects rebuilt with own keys, so `__proto__` stays a key). */
function resolveRefs(value: unknown, pool: Pool, slot: number): unknown {
  if (value instanceof Ref) return resolveRef(value, pool, slot);
  if (Array.isArray(value)) {
    if (value.length > 64 && !value.some((v) => typeof v === "object" && v !== null)) return value;
    return value.map((v) => resolveRefs(v, pool, slot));
  }
  if (typeof value === "object" && value !== null && !(value instanceof Uint8Array)) {
    return ownObject(Object.entries(value).map(([k, v]) => [k, resolveRefs(v, pool, slot)]));
  }
  return value;
}

function legacyBody(message: LegacyMessage): unknown {
  switch (message.type) {
    case "request":
      return jsonRpc(message.id as string, message.method, message.params as Record<string, unknown>);
    case "notification":
      return notification(message.method, message.params as Record<string, unknown>);
    case "response":
      return message.error === undefined
        ? { jsonrpc: "2.0", id: message.id, result: message.result }
        : { jsonrpc: "2.0", id: message.id, error: message.error };
    case "junk":
      return message.value;
  }
}

function authHeaders(pool: Pool, slot: number, auth: boolean): Record<string, string> {
  const authorization = pool.session(slot).spec.authorization;
  return auth && authorization !== undefined ? { authorization } : {};
}

/** The answer a client would give to one input request (by the case's answer mode). */
function inputAnswer(method: string, mode: string): unknown {
  if (mode === "wrong-shape") return "yes";
  if (method === "roots/list")
    return mode === "accept" ? { roots: [{ uri: "file:///tmp" }] } : { roots: "none" };
  if (method === "sampling/createMessage") return { role: "assistant", content: { type: "text", text: "x" } };
  if (mode === "decline") return { action: "decline" };
  if (mode === "cancel") return { action: "cancel" };
  return { action: "accept", content: { ok: true, name: "fuzz" } };
}

function mutateState(state: string, how: string): unknown {
  switch (how) {
    case "flipped": {
      const at = Math.floor(state.length / 2);
      const c = state[at] === "A" ? "B" : "A";
      return state.slice(0, at) + c + state.slice(at + 1);
    }
    case "truncated":
      return state.slice(0, Math.max(0, state.length - 5));
    case "no-mac":
      return state.split(".")[0];
    case "garbage":
      return "eyJ2IjoxfQ.AAAA";
    case "number":
      return 42;
    default:
      return state;
  }
}

/** The base request as built by test-kit (or by hand for raw bodies). */
async function baseRequest(
  base: Base,
  pool: Pool,
  url: string,
): Promise<{ request: Request; json: boolean }> {
  switch (base.kind) {
    case "legacy": {
      const session = pool.session(base.slot);
      const protocolVersion =
        base.version === "session"
          ? session.spec.version
          : base.version === "none"
            ? undefined
            : base.version;
      const body = resolveRefs(legacyBody(base.message), pool, base.slot);
      const options = {
        sessionId: byteString(session.id),
        headers: authHeaders(pool, base.slot, base.auth),
        ...(protocolVersion === undefined ? {} : { protocolVersion: byteString(protocolVersion) }),
      };
      return { request: legacyPost(url, JSON.stringify(body), options), json: true };
    }
    case "legacy-batch": {
      const session = pool.session(base.slot);
      const body = base.messages.map((m) => resolveRefs(legacyBody(m), pool, base.slot));
      const options = {
        sessionId: session.id,
        protocolVersion: session.spec.version,
        headers: authHeaders(pool, base.slot, base.auth),
      };
      return { request: legacyPost(url, JSON.stringify(body), options), json: true };
    }
    case "initialize": {
      const body = initializeBody(base.id as string, {
        protocolVersion: base.protocolVersion as string,
        capabilities: base.capabilities as Record<string, unknown>,
        clientInfo: base.clientInfo as { name: string; version: string },
      });
      return { request: legacyPost(url, JSON.stringify(body)), json: true };
    }
    case "legacy-get": {
      const session = pool.session(base.slot);
      const options: Parameters<typeof legacyGet>[1] = {
        sessionId: session.id,
        protocolVersion: session.spec.version,
        headers: authHeaders(pool, base.slot, base.auth),
      };
      if (base.lastEventId !== null) {
        const id = base.lastEventId;
        options.lastEventId = byteString(id instanceof Ref ? resolveRef(id, pool, base.slot) : String(id));
      }
      return { request: legacyGet(url, options), json: false };
    }
    case "legacy-delete": {
      const session = pool.session(base.slot);
      const options = { sessionId: session.id, headers: authHeaders(pool, base.slot, base.auth) };
      return { request: legacyDelete(url, options), json: false };
    }
    case "modern": {
      const params = resolveRefs(base.params, pool, 0) as Record<string, unknown>;
      const o = base.options;
      const options: Parameters<typeof modernPost>[3] = {
        id: o.id as string,
        protocolVersion: o.protocolVersion,
        clientCapabilities: o.clientCapabilities as Record<string, unknown>,
        clientInfo: o.clientInfo as { name: string; version: string },
        notification: o.notification,
      };
      if (o.logLevel !== undefined) options.logLevel = o.logLevel;
      const headers: Record<string, string> = {};
      if (base.mirror && base.method === "tools/call") {
        const args = params.arguments as Record<string, unknown> | undefined;
        for (const [arg, header] of [
          ["query", "mcp-param-query"],
          ["region", "mcp-param-region"],
        ] as const) {
          const value = typeof args === "object" && args !== null ? args[arg] : undefined;
          if (typeof value === "string") headers[header] = byteString(encodeHeaderValue(value));
          else if (typeof value === "number" || typeof value === "boolean") headers[header] = String(value);
        }
      }
      options.headers = headers;
      // Mcp-Name/Mcp-Method carry the raw text when it is printable ASCII: make it a byte string.
      const request = modernPost(url, base.method, params, options);
      return { request, json: true };
    }
    case "mrtr-retry": {
      const sealed = pool.state(base.index);
      const name = sealed?.name ?? "confirm";
      const args = base.state === "other-args" ? { action: "other" } : (sealed?.arguments ?? { action: "x" });
      const params: Record<string, unknown> = {
        name,
        arguments: args,
        requestState: mutateState(sealed?.requestState ?? "bm8.c3RhdGU", base.state),
      };
      if (base.answer !== "none") {
        const asks = sealed?.asks ?? [["input-1", "elicitation/create"]];
        const responses = ownObject(asks.map(([key, method]) => [key, inputAnswer(method, base.answer)]));
        if (base.answer === "extra-keys") {
          Object.defineProperty(responses, "__proto__", { value: { polluted: true }, enumerable: true });
          responses.unasked = { action: "accept" };
        }
        params.inputResponses = responses;
      }
      const capabilities = (sealed?.clientCapabilities ?? { elicitation: {}, roots: {} }) as Record<
        string,
        unknown
      >;
      return {
        request: modernPost(url, "tools/call", params, { id: 7, clientCapabilities: capabilities }),
        json: true,
      };
    }
    case "text":
    case "bytes": {
      const headers = new Headers({
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      });
      if (base.preset === "legacy") {
        headers.set("mcp-session-id", pool.session(0).id);
        headers.set("mcp-protocol-version", pool.session(0).spec.version);
      } else if (base.preset === "modern") {
        headers.set("mcp-protocol-version", MODERN_VERSION);
        headers.set("mcp-method", "ping");
      }
      const body = base.kind === "text" ? encoder.encode(base.text) : base.bytes;
      return { request: new Request(url, { method: "POST", headers, body: body as BodyInit }), json: false };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Body mutations

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null;

function defineOwn(target: Obj, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
}

/** Up to `limit` paths to values inside `root` (breadth first, not the root itself). */
function pathsOf(root: unknown, limit = 200): string[][] {
  const out: string[][] = [];
  const queue: [unknown, string[]][] = [[root, []]];
  while (queue.length > 0 && out.length < limit) {
    const [node, path] = queue.shift() as [unknown, string[]];
    if (!isObj(node) || path.length > 6) continue;
    const keys = Object.keys(node).slice(0, 50);
    for (const key of keys) {
      out.push([...path, key]);
      queue.push([(node as Obj)[key], [...path, key]]);
    }
  }
  return out;
}

function setPath(root: Obj, path: string[], value: unknown): void {
  let node: Obj = root;
  for (const key of path.slice(0, -1)) {
    let next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (!isObj(next)) {
      next = {};
      defineOwn(node, key, next);
    }
    node = next as Obj;
  }
  defineOwn(node, path[path.length - 1] as string, value);
}

function dropPath(root: Obj, path: string[]): void {
  let node: unknown = root;
  for (const key of path.slice(0, -1)) {
    if (!isObj(node) || !Object.hasOwn(node, key)) return;
    node = node[key];
  }
  if (!isObj(node)) return;
  const last = path[path.length - 1] as string;
  if (Array.isArray(node) && /^\d+$/.test(last)) node.splice(Number(last), 1);
  else delete node[last];
}

function applyBodyOp(value: unknown, op: BodyOp): unknown {
  if (op.op === "batch") return new Array(op.copies + 1).fill(value);
  let target: unknown = value;
  if (Array.isArray(value)) target = value.length === 0 ? undefined : value[op.element % value.length];
  if (!isObj(target)) return value;
  switch (op.op) {
    case "set":
      setPath(target, op.path, op.value);
      break;
    case "drop":
      dropPath(target, op.path);
      break;
    case "setAt":
    case "dropAt": {
      const paths = pathsOf(target);
      const path = paths[op.index % Math.max(1, paths.length)];
      if (path === undefined) break;
      if (op.op === "setAt") setPath(target, path, op.value);
      else dropPath(target, path);
      break;
    }
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Text and byte mutations

function applyTextOp(text: string, op: TextOp): string {
  switch (op.op) {
    case "append":
      return text + op.text;
    case "prepend":
      return op.text + text;
    case "nest": {
      const d = op.depth;
      const open = op.open === "[" ? "[".repeat(d) : '{"a":'.repeat(d);
      const close = (op.open === "[" ? "]" : "}").repeat(d);
      const deep = op.open === "[" ? open + close : `${open}1${close}`;
      const anchor = text.indexOf('"params":{');
      const at = anchor >= 0 ? anchor + '"params":{'.length : text.startsWith("{") ? 1 : -1;
      if (at < 0) return open + text + close;
      const comma = text[at] === "}" ? "" : ",";
      return `${text.slice(0, at)}"deep":${deep}${comma}${text.slice(at)}`;
    }
    case "duplicateKey":
      return text.startsWith("{") && text.length > 2 ? `{"${op.key}":${op.value},${text.slice(1)}` : text;
    default:
      return text;
  }
}

function applyByteOp(bytes: Uint8Array, op: TextOp): Uint8Array {
  switch (op.op) {
    case "truncate":
      return bytes.slice(0, Math.floor(bytes.length * op.at));
    case "insertBytes": {
      const at = Math.floor(bytes.length * op.at);
      const out = new Uint8Array(bytes.length + op.bytes.length);
      out.set(bytes.subarray(0, at));
      out.set(op.bytes, at);
      out.set(bytes.subarray(at), at + op.bytes.length);
      return out;
    }
    case "bom": {
      const out = new Uint8Array(bytes.length + 3);
      out.set([0xef, 0xbb, 0xbf]);
      out.set(bytes, 3);
      return out;
    }
    case "latin1": {
      const text = lossyUtf8.decode(bytes);
      return Uint8Array.from(text, (c) => {
        const code = c.codePointAt(0) ?? 63;
        return code > 0xff ? 63 : code;
      });
    }
    case "utf16": {
      const text = lossyUtf8.decode(bytes);
      const out = new Uint8Array(text.length * 2);
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        out[2 * i] = code & 0xff;
        out[2 * i + 1] = code >> 8;
      }
      return out;
    }
    default:
      return bytes;
  }
}

const TEXT_OPS = new Set(["append", "prepend", "nest", "duplicateKey"]);

// ---------------------------------------------------------------------------------------------
// Headers

function parseBody(body: Uint8Array | null): unknown {
  if (body === null || body.length === 0) return undefined;
  try {
    return JSON.parse(strictUtf8.decode(body));
  } catch {
    return undefined;
  }
}

function headerText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/** What a mirrored header should carry for `json` (undefined when the body has no such part). */
function mirrored(mirror: Mirror, json: unknown): string | undefined {
  const message = (Array.isArray(json) ? json[0] : json) as Obj | undefined;
  if (!isObj(message)) return undefined;
  const params = isObj(message.params) ? message.params : {};
  if (mirror.what === "method") return headerText(message.method);
  if (mirror.what === "name") {
    const field = message.method === "resources/read" ? "uri" : "name";
    return headerText(params[field] ?? params.name ?? params.uri);
  }
  const args = isObj(params.arguments) ? params.arguments : {};
  return headerText(args[mirror.arg]);
}

function encodeMirror(value: string, encoding: Mirror["encoding"]): string {
  const b64 = base64(encoder.encode(value));
  switch (encoding) {
    case "exact":
      return encodeHeaderValue(value);
    case "plain":
      return value;
    case "base64":
      return `=?base64?${b64}?=`;
    case "base64-upper":
      return `=?BASE64?${b64}?=`;
    case "base64-unpadded":
      return `=?base64?${b64.replace(/=+$/, "")}?=`;
    case "base64-badchar":
      return `=?base64?${b64.slice(0, 2)}*${b64.slice(2)}?=`;
    case "base64-not-utf8":
      return "=?base64?//79?=";
    case "base64-empty":
      return "=?base64??=";
    case "spaced":
      return `  ${value} `;
    case "other":
      return `${value}x`;
  }
}

function resolveHeader(value: HeaderValue, pool: Pool, json: unknown): string | undefined {
  if (value instanceof Ref) return resolveRef(value, pool, value.slot);
  if (value instanceof Mirror) {
    const text = mirrored(value, json);
    if (text === undefined) return value.encoding === "exact" ? undefined : "undefined";
    return encodeMirror(text, value.encoding);
  }
  return value;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

// ---------------------------------------------------------------------------------------------

/** The request a case stands for, with the pool's current values. */
export async function materialize(c: FuzzCase, pool: Pool, transport: Transport): Promise<Materialized> {
  const origin = transport.origin;
  const url = `${origin}/mcp`;
  const { request, json: isJson } = await baseRequest(c.base, pool, url);
  const base = await rawOf(request);

  let body = base.body;
  if (body !== null) {
    if (isJson && c.bodyOps.length > 0) {
      let value = JSON.parse(lossyUtf8.decode(body)) as unknown;
      for (const op of c.bodyOps) value = applyBodyOp(value, op);
      body = encoder.encode(JSON.stringify(value) ?? "");
    }
    const textOps = c.textOps.filter((op) => TEXT_OPS.has(op.op));
    if (textOps.length > 0) {
      let text = lossyUtf8.decode(body);
      for (const op of textOps) text = applyTextOp(text, op);
      body = encoder.encode(text);
    }
    for (const op of c.textOps) if (!TEXT_OPS.has(op.op)) body = applyByteOp(body, op);
    if (body.length > MAX_BODY_BYTES) body = body.slice(0, MAX_BODY_BYTES);
  }
  const json = parseBody(body);

  const method = c.method ?? base.method;
  const bodyless = method.toUpperCase() === "GET" || method.toUpperCase() === "HEAD";

  const list: [string, HeaderValue][] = base.headers.map(([n, v]) => [n, v]);
  for (const op of c.headerOps) {
    const name = op.name.toLowerCase();
    if (op.op === "append") list.push([name, op.value]);
    else {
      for (let i = list.length - 1; i >= 0; i--) if (list[i]?.[0] === name) list.splice(i, 1);
      if (op.op === "set") list.push([name, op.value]);
    }
  }
  const headers: [string, string][] = [];
  for (const [name, value] of list) {
    if (!TOKEN.test(name) || (transport.ownsFraming === true && FRAMING_HEADERS.has(name))) continue;
    const resolved = resolveHeader(value, pool, json);
    if (resolved !== undefined) headers.push([name, byteString(resolved)]);
  }
  if (!headers.some(([name]) => name === "host")) headers.unshift(["host", new URL(origin).host]);

  const sessionId = headers.find(([name]) => name === "mcp-session-id")?.[1];
  const slot = pool.sessions.findIndex((s) => s.id === sessionId);
  const message = (Array.isArray(json) ? undefined : json) as JsonRpcMessage | undefined;
  const longLived = method.toUpperCase() === "GET" || message?.method === "subscriptions/listen";
  return {
    raw: { method, path: c.path, headers, body: bodyless ? null : body },
    json,
    longLived,
    slot: slot < 0 ? undefined : slot,
  };
}

/** The request as text for reports: a body that is not UTF-8 is shown as base64. */
export function describeRequest(raw: RawRequest, max = 4_000): string {
  const lines = [`${raw.method} ${raw.path}`];
  for (const [name, value] of raw.headers) {
    lines.push(
      `${name}: ${JSON.stringify(value.length > 300 ? `${value.slice(0, 300)}…(${value.length} chars)` : value)}`,
    );
  }
  if (raw.body !== null) {
    let shown: string;
    try {
      const text = strictUtf8.decode(raw.body);
      shown = `body (UTF-8, ${raw.body.length} bytes): ${JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text)}`;
    } catch {
      const b64 = base64(raw.body.subarray(0, max));
      shown = `body (not UTF-8, ${raw.body.length} bytes, base64${raw.body.length > max ? " of the start" : ""}): ${b64}`;
    }
    lines.push(shown);
  }
  return lines.join("\n");
}

/**
 * The buffered fast path of the contract. Building a real `Response` costs a body stream, and
 * reading it back costs an adapter a stream read; for the small JSON answers that make up most MCP
 * traffic that is most of the per-request work — and on Node, touching the global `Response` at all
 * loads undici (tens of milliseconds of a cold start). A buffered response answers every member of
 * `Response` (turning into a real one only when a member needs it: `body`, `clone()`,
 * `arrayBuffer()`…), but it is not an `instanceof Response`, and building it never touches the
 * global. The core makes one with {@link bufferedResponse} only when the adapter said
 * `ctx.bufferedResponses: true`; such an adapter takes its status, headers and text with
 * {@link readBufferedResponse} and writes them in one go, and streams any other response as usual;
 * {@link toRealResponse} turns it into a real one for hosts that need that. Its text reads back as
 * a real one's (one leading U+FEFF dropped, a lone surrogate as U+FFFD). An adapter and a core
 * that load two different copies of this module simply miss the fast path (the reader answers
 * `undefined`): nothing breaks.
 */

import { stateUnder } from "./_hidden-state.ts";
import { bodyText } from "./body-text.ts";
import { LightHeaders, linkHeaders } from "./light-headers.ts";

/** What {@link readBufferedResponse} hands an adapter. */
export interface BufferedResponse {
  status: number;
  statusText: string;
  /**
   * A plain lower-case record, or a {@link LightHeaders} once someone has looked at (and maybe
   * changed) them.
   */
  headers: Record<string, string> | LightHeaders;
  /** The whole body, or `null` for none. */
  body: string | null;
}

interface State {
  status: number;
  statusText: string;
  headers: Record<string, string> | LightHeaders;
  body: string | null;
  used: boolean;
  real: Response | undefined;
}

/**
 * A class, not an object literal: V8 may pretenure a literal's allocation site under load, and
 * old-generation garbage holding young objects makes every young-generation GC copy them.
 */
class ResponseState implements State {
  status: number;
  statusText: string;
  headers: Record<string, string> | LightHeaders;
  body: string | null;
  used = false;
  real: Response | undefined = undefined;
  constructor(
    status: number,
    statusText: string,
    headers: Record<string, string> | LightHeaders,
    body: string | null,
  ) {
    this.status = status;
    this.statusText = statusText;
    this.headers = headers;
    this.body = body;
  }
}

const STATE = Symbol("portico.bufferedResponse");
const stateOf = stateUnder<State>(STATE);

type Light = { [STATE]: State };

/**
 * The headers as a `Headers`: a `LightHeaders` made on first look, and the same one on every look
 * after, even once there is a real response (it is then a view of that one's); the real
 * response's own if nobody looked before it was made.
 */
function headersOf(state: State): Headers {
  if (state.headers instanceof LightHeaders) return state.headers;
  if (state.real !== undefined) return state.real.headers;
  state.headers = new LightHeaders(state.headers);
  return state.headers;
}

/**
 * The real `Response` behind a buffered one, made on first need. It takes the headers as they are
 * (a plain record unless someone looked at them: no intermediate `Headers`), and from then on its
 * own `headers` are the ones both objects show: a `LightHeaders` someone took before becomes a
 * view of them (`linkHeaders`), so changes made through it still reach the real response.
 */
function realOf(state: State): Response {
  if (state.real === undefined) {
    const headers = state.headers;
    state.real = new Response(state.body, {
      status: state.status,
      statusText: state.statusText,
      headers: headers instanceof LightHeaders ? [...headers] : headers,
    });
    if (headers instanceof LightHeaders) linkHeaders(headers, state.real.headers);
    // A body already read through the light object stays read on the real one.
    if (state.used) void state.real.arrayBuffer().catch(() => {});
  }
  return state.real;
}

function takeText(state: State): Promise<string> {
  if (state.real !== undefined) return state.real.text();
  // A null body is never used up: `Response` reads it as "" as often as asked.
  if (state.body === null) return Promise.resolve("");
  if (state.used) return Promise.reject(new TypeError("Body is unusable: Body has already been read"));
  state.used = true;
  return Promise.resolve(bodyText(state.body));
}

/** Members answered without a real `Response`. */
const OWN: PropertyDescriptorMap = {
  status: {
    get: function (this: Light) {
      return this[STATE].status;
    },
  },
  statusText: {
    get: function (this: Light) {
      return this[STATE].statusText;
    },
  },
  ok: {
    get: function (this: Light) {
      return this[STATE].status >= 200 && this[STATE].status < 300;
    },
  },
  headers: {
    get: function (this: Light) {
      return headersOf(this[STATE]);
    },
  },
  type: { get: () => "default" },
  url: { get: () => "" },
  redirected: { get: () => false },
  bodyUsed: {
    get: function (this: Light) {
      const state = this[STATE];
      return state.real?.bodyUsed ?? state.used;
    },
  },
  text: {
    value: function (this: Light) {
      return takeText(this[STATE]);
    },
  },
  json: {
    value: function (this: Light) {
      return takeText(this[STATE]).then(JSON.parse);
    },
  },
};

/** Members that need a real `Response` (its body stream, a copy, other body readers). */
const DELEGATED_METHODS = ["arrayBuffer", "blob", "bytes", "clone", "formData"] as const;

const prototype: object = {};
Object.defineProperties(prototype, OWN);
Object.defineProperty(prototype, "body", {
  get: function (this: Light) {
    return realOf(this[STATE]).body;
  },
});
for (const key of DELEGATED_METHODS) {
  Object.defineProperty(prototype, key, {
    value: function (this: Light, ...args: unknown[]) {
      const real = realOf(this[STATE]) as unknown as Record<string, (...a: unknown[]) => unknown>;
      return real[key]?.apply(real, args);
    },
  });
}
Object.defineProperty(prototype, Symbol.toStringTag, { value: "Response" });

/** HTAB, SP, VCHAR and obs-text (RFC 9112 `reason-phrase`): what `Response` takes as `statusText`. */
const REASON_PHRASE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * A buffered `Response`: status, headers (a plain lower-case record) and the whole body as text.
 * Refuses what `new Response` refuses: a status outside 200–599 (`RangeError`), a body with 204,
 * 205 or 304, an invalid `statusText` (`TypeError`).
 */
export function bufferedResponse(
  body: string | null,
  status: number,
  headers: Record<string, string>,
  statusText = "",
): Response {
  if (!(status >= 200 && status <= 599)) {
    throw new RangeError(`init["status"] must be in the range of 200 to 599, inclusive (got ${status})`);
  }
  if (body !== null && (status === 204 || status === 205 || status === 304)) {
    throw new TypeError(`Response constructor: a ${status} response cannot have a body`);
  }
  if (statusText !== "" && !REASON_PHRASE.test(statusText)) throw new TypeError("Invalid statusText");
  const light = Object.create(prototype) as Light;
  light[STATE] = new ResponseState(status, statusText, headers, body);
  return light as unknown as Response;
}

/**
 * For adapters: the status, headers and whole body of a response the core built buffered, and
 * marks its body read; `undefined` for any other response (stream it as usual), including a
 * buffered one whose body something already touched.
 */
export function readBufferedResponse(response: Response): BufferedResponse | undefined {
  const state = stateOf(response);
  return state === undefined ? undefined : take(state);
}

function take(state: State): BufferedResponse | undefined {
  if (state.used || state.real !== undefined) return undefined;
  state.used = true;
  return { status: state.status, statusText: state.statusText, headers: state.headers, body: state.body };
}

/** A real `Response` for hosts that require one (Workers, Deno, Bun); other values pass through. */
export function toRealResponse(response: Response): Response {
  const state = stateOf(response);
  return state === undefined ? response : realOf(state);
}

/**
 * Whether `value` is a response — a buffered one or a real one — told apart from the plain JSON
 * values (objects, arrays, primitives) the core passes around, without touching the global
 * `Response` for either (so without loading undici on Node).
 */
export function isResponse(value: unknown): value is Response {
  if (typeof value !== "object" || value === null) return false;
  if (stateOf(value) !== undefined) return true;
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null || Array.isArray(value)) return false;
  return typeof Response === "function" && value instanceof Response;
}

/**
 * The buffered request: what an adapter that holds a whole request (a Lambda event, a Node body it
 * read) hands the app without building a real `Request` — on Node the global `Request` lives in
 * undici, and touching it loads all of undici (tens of milliseconds of a cold start). A buffered
 * request answers every member of `Request`: `method`, `url`, `headers` (a {@link LightHeaders}),
 * `signal`, `text()`, `json()`, `arrayBuffer()`, `bytes()` and `clone()` without a real one; the
 * rest (`body`, `blob()`, `formData()`, `cache`, `mode`…) from a real `Request` made on first need.
 * It is not an `instanceof Request`. The core reads its body with {@link readBufferedRequest},
 * without a stream; any other request is read as usual, so an app that is not Portico's simply
 * sees a request. A text body reads back as from a real one (one leading U+FEFF dropped, a lone
 * surrogate as U+FFFD).
 *
 * Its `headers` are one `LightHeaders` for its whole life: once a real `Request` is made, that
 * one's headers are copied from them and they become a view of its (see `linkHeaders`), so a
 * reference taken earlier still reads and changes the headers both objects show.
 */

import { stateUnder } from "./_hidden-state.ts";
import { bodyText } from "./body-text.ts";
import { LightHeaders, linkHeaders } from "./light-headers.ts";

/** What {@link bufferedRequest} is made from. */
export interface BufferedRequestInit {
  method: string;
  url: string;
  headers: Record<string, string> | LightHeaders;
  /** The whole body: text, bytes, or `null` for none. */
  body: string | Uint8Array | null;
  /** Aborts when the client is gone or the host stops. Default: a signal that never aborts. */
  signal?: AbortSignal;
}

interface State {
  init: BufferedRequestInit;
  headers: LightHeaders;
  used: boolean;
  real: Request | undefined;
}

const STATE = Symbol("portico.bufferedRequest");
const stateOf = stateUnder<State>(STATE);

type Light = { [STATE]: State };

/** The body as `Request` has it: none for GET and HEAD, whatever the adapter passed. */
function bodyOf(init: BufferedRequestInit): string | Uint8Array | null {
  return init.method === "GET" || init.method === "HEAD" ? null : init.body;
}

function realOf(state: State): Request {
  if (state.real === undefined) {
    const { method, url, signal } = state.init;
    const body = bodyOf(state.init);
    state.real = new Request(url, {
      method,
      headers: [...state.headers],
      ...(body !== null ? { body: body as BodyInit } : {}),
      ...(signal === undefined ? {} : { signal }),
    });
    // From now on the real headers are the ones: `state.headers` reads and changes them.
    linkHeaders(state.headers, state.real.headers);
    if (state.used) void state.real.arrayBuffer().catch(() => {});
  }
  return state.real;
}

function take(state: State): string | Uint8Array | null {
  const body = bodyOf(state.init);
  // A null body is never used up: `Request` reads it as empty as often as asked.
  if (body === null) return null;
  if (state.used) throw new TypeError("Body is unusable: Body has already been read");
  state.used = true;
  return body;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function takeText(state: State): Promise<string> {
  if (state.real !== undefined) return state.real.text();
  try {
    const body = take(state);
    return Promise.resolve(
      body === null ? "" : typeof body === "string" ? bodyText(body) : decoder.decode(body),
    );
  } catch (error) {
    return Promise.reject(error);
  }
}

function takeBytes(state: State): Promise<Uint8Array<ArrayBuffer>> {
  if (state.real !== undefined) return state.real.arrayBuffer().then((b) => new Uint8Array(b));
  try {
    const body = take(state);
    if (body === null) return Promise.resolve(new Uint8Array(0));
    return Promise.resolve(typeof body === "string" ? encoder.encode(body) : new Uint8Array(body));
  } catch (error) {
    return Promise.reject(error);
  }
}

let never: AbortSignal | undefined;

const OWN: PropertyDescriptorMap = {
  method: {
    get: function (this: Light) {
      return this[STATE].init.method;
    },
  },
  url: {
    get: function (this: Light) {
      return this[STATE].init.url;
    },
  },
  headers: {
    get: function (this: Light) {
      return this[STATE].headers;
    },
  },
  signal: {
    get: function (this: Light) {
      never ??= new AbortController().signal;
      return this[STATE].init.signal ?? never;
    },
  },
  bodyUsed: {
    get: function (this: Light) {
      return this[STATE].real?.bodyUsed ?? this[STATE].used;
    },
  },
  body: {
    get: function (this: Light) {
      return realOf(this[STATE]).body;
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
  bytes: {
    value: function (this: Light) {
      return takeBytes(this[STATE]);
    },
  },
  arrayBuffer: {
    value: function (this: Light) {
      return takeBytes(this[STATE]).then((bytes) => bytes.buffer);
    },
  },
  clone: {
    value: function (this: Light) {
      const state = this[STATE];
      if (state.real !== undefined) return state.real.clone();
      if (state.used) throw new TypeError("Request.clone: Body has already been read");
      return bufferedRequest({ ...state.init, headers: new LightHeaders(state.headers) });
    },
  },
};

/**
 * `Request` members a lightweight stand-in answers from a real `Request` (they describe fetch
 * options no adapter receives: `cache`, `mode`, …). Shared with the Node adapter's request.
 */
export const REAL_REQUEST_GETTERS: readonly string[] = [
  "cache",
  "credentials",
  "destination",
  "duplex",
  "integrity",
  "keepalive",
  "mode",
  "redirect",
  "referrer",
  "referrerPolicy",
];
const DELEGATED_METHODS = ["blob", "formData"] as const;

const prototype: object = {};
Object.defineProperties(prototype, OWN);
for (const key of REAL_REQUEST_GETTERS) {
  Object.defineProperty(prototype, key, {
    get: function (this: Light) {
      return (realOf(this[STATE]) as unknown as Record<string, unknown>)[key];
    },
  });
}
for (const key of DELEGATED_METHODS) {
  Object.defineProperty(prototype, key, {
    value: function (this: Light) {
      const real = realOf(this[STATE]);
      return real[key]();
    },
  });
}
Object.defineProperty(prototype, Symbol.toStringTag, { value: "Request" });

/**
 * A class, not an object literal: V8 may pretenure a literal's allocation site under load, and
 * old-generation garbage holding young objects makes every young-generation GC copy them.
 */
class RequestState implements State {
  init: BufferedRequestInit;
  headers: LightHeaders;
  used = false;
  real: Request | undefined = undefined;
  constructor(init: BufferedRequestInit, headers: LightHeaders) {
    this.init = init;
    this.headers = headers;
  }
}

/** A buffered `Request` (see the module's description). */
export function bufferedRequest(init: BufferedRequestInit): Request {
  const light = Object.create(prototype) as Light;
  const headers = init.headers instanceof LightHeaders ? init.headers : new LightHeaders(init.headers);
  light[STATE] = new RequestState(init, headers);
  return light as unknown as Request;
}

/**
 * For the app: the whole body of a buffered request, marking it read — `undefined` for any other
 * request (read its body as usual), and for a buffered one whose body was already read or turned
 * into a stream.
 */
export function readBufferedRequest(request: Request): { body: string | Uint8Array | null } | undefined {
  const state = stateOf(request);
  if (state === undefined || state.used || state.real !== undefined) return undefined;
  state.used = true;
  return { body: bodyOf(state.init) };
}

/** Whether `request` is a buffered one (so reading it needs no stream). */
export function isBufferedRequest(request: Request): boolean {
  return stateOf(request) !== undefined;
}

/** A real `Request` for apps that need one (see `FetchHandler.acceptsBufferedRequests`); others pass through. */
export function toRealRequest(request: Request): Request {
  const state = stateOf(request);
  return state === undefined ? request : realOf(state);
}

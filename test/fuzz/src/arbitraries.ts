/**
 * fast-check arbitraries for hostile HTTP requests to an MCP endpoint. A generated {@link FuzzCase}
 * is plain data: a base request of either era (built with test-kit's builders when it is turned
 * into bytes, see `materialize.ts`), then mutations of its JSON body, of its text and bytes, and of
 * its headers. Values the server hands out at run time (session ids, event ids, sealed
 * `requestState`s, cursors, ids of server→client requests) appear as {@link Ref}s and are looked
 * up in the run's pool when the case is sent; headers that must mirror the body are {@link Mirror}s,
 * computed from the final body.
 *
 * Bodies stay under {@link MAX_BODY_BYTES}; most cases are small (huge strings, deep nesting and
 * big arrays are a few percent), so ten thousand cases per adapter take seconds, not minutes.
 */
import { LEGACY_VERSIONS, MODERN_VERSION } from "@portico/test-kit";
import fc from "fast-check";

/** Upper bound of a generated body. */
export const MAX_BODY_BYTES = 256 * 1024;
/** Legacy sessions opened before the run (see `pool.ts`), addressed by slot. */
export const SESSION_SLOTS = 4;

export const META_PROTOCOL_VERSION = "io.modelcontextprotocol/protocolVersion";
export const META_CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
export const META_CLIENT_INFO = "io.modelcontextprotocol/clientInfo";
export const META_LOG_LEVEL = "io.modelcontextprotocol/logLevel";

// ---------------------------------------------------------------------------------------------
// Case shape

/** A value handed out by the server during the run, looked up when the case is sent. */
export class Ref {
  constructor(
    readonly kind: "session" | "event" | "cursor" | "serverRequest" | "sessionVersion",
    readonly slot = 0,
    readonly index = 0,
  ) {}
  toString(): string {
    return `Ref(${this.kind},${this.slot},${this.index})`;
  }
}

/** How a mirrored header value is written. */
export type MirrorEncoding =
  | "exact" // test-kit's encodeHeaderValue: what a correct client sends
  | "plain" // the raw value, whatever it contains
  | "base64" // always the =?base64?…?= sentinel
  | "base64-upper" // sentinel with the prefix in upper case
  | "base64-unpadded" // sentinel without the `=` padding
  | "base64-badchar" // sentinel with a character outside the alphabet
  | "base64-not-utf8" // sentinel whose payload is not UTF-8
  | "base64-empty" // `=?base64??=`
  | "spaced" // surrounded by spaces
  | "other"; // a different value

/** A header that mirrors a part of the final body (`Mcp-Method`, `Mcp-Name`, `Mcp-Param-*`). */
export class Mirror {
  constructor(
    readonly what: "method" | "name" | "arg",
    readonly encoding: MirrorEncoding,
    readonly arg = "",
  ) {}
  toString(): string {
    return `Mirror(${this.what},${this.encoding}${this.arg === "" ? "" : `,${this.arg}`})`;
  }
}

export type HeaderValue = string | Ref | Mirror;

export type HeaderOp =
  | { op: "set"; name: string; value: HeaderValue }
  | { op: "append"; name: string; value: HeaderValue }
  | { op: "remove"; name: string };

export type JsonId = string | number | null | unknown;

/** One legacy-era message (alone or in a batch). */
export type LegacyMessage =
  | { type: "request"; id: JsonId; method: string; params: unknown }
  | { type: "notification"; method: string; params: unknown }
  | { type: "response"; id: JsonId | Ref; result?: unknown; error?: unknown }
  | { type: "junk"; value: unknown };

export interface ModernOptions {
  id: JsonId;
  protocolVersion: string;
  clientCapabilities: unknown;
  clientInfo: unknown;
  logLevel: string | undefined;
  notification: boolean;
}

export type Preset = "legacy" | "modern" | "bare";

export type Base =
  | {
      kind: "legacy";
      slot: number;
      /** `session`: the session's own version; `none`: no header; else that value. */
      version: string;
      /** Send the Authorization the slot's session was opened with. */
      auth: boolean;
      message: LegacyMessage;
    }
  | { kind: "legacy-batch"; slot: number; auth: boolean; messages: LegacyMessage[] }
  | { kind: "initialize"; id: JsonId; protocolVersion: unknown; capabilities: unknown; clientInfo: unknown }
  | { kind: "legacy-get"; slot: number; auth: boolean; lastEventId: HeaderValue | null }
  | { kind: "legacy-delete"; slot: number; auth: boolean }
  | {
      kind: "modern";
      method: string;
      params: Record<string, unknown>;
      options: ModernOptions;
      mirror: boolean;
    }
  | {
      kind: "mrtr-retry";
      /** Which sealed state of the pool (modulo its size). */
      index: number;
      answer: "accept" | "decline" | "cancel" | "wrong-shape" | "none" | "extra-keys";
      state: "as-issued" | "flipped" | "truncated" | "no-mac" | "garbage" | "other-args" | "number";
    }
  | { kind: "text"; preset: Preset; text: string }
  | { kind: "bytes"; preset: Preset; bytes: Uint8Array };

/** A mutation of the parsed JSON body (applied to element `element` of a batch). */
export type BodyOp =
  | { op: "set"; path: string[]; value: unknown; element: number }
  | { op: "drop"; path: string[]; element: number }
  | { op: "setAt"; index: number; value: unknown; element: number }
  | { op: "dropAt"; index: number; element: number }
  | { op: "batch"; copies: number };

/** A mutation of the serialised body. */
export type TextOp =
  | { op: "truncate"; at: number }
  | { op: "insertBytes"; at: number; bytes: readonly number[] }
  | { op: "bom" }
  | { op: "latin1" }
  | { op: "utf16" }
  | { op: "append"; text: string }
  | { op: "prepend"; text: string }
  | { op: "nest"; depth: number; open: "[" | "{" }
  | { op: "duplicateKey"; key: string; value: string };

/** Reply of the harness to a server→client request seen on an SSE stream (legacy era). */
export type ReplyMode = "accept" | "decline" | "error" | "odd" | "invalid" | "wrong-id" | "drop";

export interface FuzzCase {
  base: Base;
  bodyOps: BodyOp[];
  textOps: TextOp[];
  headerOps: HeaderOp[];
  /** Another HTTP method than the base's. */
  method: string | undefined;
  path: string;
  reply: ReplyMode;
}

// ---------------------------------------------------------------------------------------------
// Strings and values

/** Strings chosen to break parsers, matchers, encoders and prototype lookups. */
export const NASTY_STRINGS = [
  "",
  " ",
  "\u0000",
  "\ud800",
  "\udfff",
  "a\ud83d",
  "\ude00b",
  "\ufeff",
  "\u202e",
  "\u2028\u2029",
  "%00",
  "%ZZ",
  "%",
  "%E0%A4%A",
  "..%2F..%2F",
  "../../etc/passwd",
  "{}",
  "[]",
  "null",
  "undefined",
  "NaN",
  "-0",
  "1e309",
  "__proto__",
  "constructor",
  "prototype",
  "hasOwnProperty",
  "toString",
  "valueOf",
  "=?base64?AAAA?=",
  "=?base64?=?=",
  "=?base64?*?=",
  "\r\n",
  "\n\ndata: x\n\n",
  "id: 1\nevent: x",
  "\\",
  '"',
  "'",
  "<script>",
  "$" + "{x}",
  "{id}",
  "{+id}",
  "{/id*}",
  "notes://{id}",
  "notes://",
  "notes://%ff",
  "notes://a/b",
  "🙂",
  "é",
  "ﷺ",
  "\u0301",
  "x".repeat(300),
] as const;

const nastyString = fc.constantFrom(...NASTY_STRINGS);

/** A long string made of one unit repeated (cheap to generate, up to ~200 KB of UTF-8). */
export const hugeString: fc.Arbitrary<string> = fc
  .record({
    unit: fc.constantFrom("a", "é", "😀", "\u0000", "\ud800", "\\", '"', "<", " ", "{"),
    count: fc.oneof(fc.integer({ min: 1_000, max: 20_000 }), fc.integer({ min: 20_000, max: 50_000 })),
  })
  .map(({ unit, count }) => unit.repeat(count));

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary-ascii", maxLength: 12 }) },
  { weight: 4, arbitrary: nastyString },
  { weight: 1, arbitrary: hugeString },
);

const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 8 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "__proto__",
      "constructor",
      "prototype",
      "toString",
      "then",
      "length",
      "_meta",
      "",
      "\ud800",
      "jsonrpc",
      "id",
      "method",
    ),
  },
);

/** Makes an object with own properties (a `__proto__` key stays a key, as JSON.parse makes it). */
export function ownObject(entries: [string, unknown][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
  }
  return out;
}

const bigArray = fc
  .record({ n: fc.integer({ min: 1_000, max: 30_000 }), element: fc.constantFrom(0, null, "", {}, [], "x") })
  .map(({ n, element }) => new Array(n).fill(element) as unknown[]);

/** A nested value (`[[[…]]]` or `{"a":{"a":…}}`) a few hundred levels deep, built iteratively. */
const deepValue = fc
  .record({ depth: fc.integer({ min: 10, max: 400 }), object: fc.boolean() })
  .map(({ depth, object }) => {
    let value: unknown = object ? {} : [];
    for (let i = 0; i < depth; i++) value = object ? { a: value } : [value];
    return value;
  });

const numbers = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 1, -1, 1e308, -1e308, 2 ** 53 + 2, -(2 ** 63), 5e-324, 0.1),
);

/** Any JSON value, weighted towards the ones that break assumptions. */
export const garbage: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(null, true, false, 0, -1, "", [], {}) },
  { weight: 3, arbitrary: numbers },
  { weight: 5, arbitrary: hostileString },
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  {
    weight: 2,
    arbitrary: fc.array(fc.tuple(hostileKey, fc.jsonValue({ maxDepth: 2 })), { maxLength: 5 }).map(ownObject),
  },
  { weight: 1, arbitrary: bigArray },
  { weight: 1, arbitrary: deepValue },
);

// ---------------------------------------------------------------------------------------------
// MCP messages

const TOOL_NAMES = [
  "add",
  "search",
  "echo",
  "recursive",
  "confirm",
  "gather",
  "progress",
  "explode",
  "refuse",
  "touch",
  "admin_only",
] as const;

const requestId: fc.Arbitrary<JsonId> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 1_000_000 }) },
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(null, -1, 1.5, 2 ** 53 + 2, "", "__proto__", true, {}, [], "s-x", 1e308),
  },
  { weight: 1, arbitrary: hostileString },
);

const progressMeta = fc.option(
  fc.record({
    progressToken: fc.oneof(fc.integer({ min: 0, max: 99 }), fc.string({ maxLength: 6 }), garbage),
  }),
  { freq: 2 },
);

/** Arguments for one tool: mostly valid, sometimes plausible-but-wrong. */
function toolArguments(name: string): fc.Arbitrary<unknown> {
  const valid = ((): fc.Arbitrary<unknown> => {
    switch (name) {
      case "add":
        return fc.record({ a: numbers, b: numbers });
      case "search":
        return fc.record(
          {
            query: fc.oneof(
              fc.string({ maxLength: 20 }),
              fc.string({ unit: "grapheme", maxLength: 6 }),
              nastyString,
            ),
            limit: fc.integer({ min: 0, max: 60 }),
            filters: fc.array(
              fc.oneof(
                fc.record({ kind: fc.constant("tag"), tag: fc.string({ maxLength: 5 }) }),
                fc.record({ kind: fc.constant("range"), from: numbers, to: numbers }),
                fc.record({ kind: fc.constantFrom("other", 1, null), tag: garbage }),
              ),
              { maxLength: 3 },
            ),
            mode: fc.constantFrom("fast", "exact", "slow", 3),
          },
          { requiredKeys: ["query"] },
        );
      case "echo":
        return fc.record(
          {
            text: fc.oneof(fc.string({ maxLength: 30 }), nastyString),
            region: fc.oneof(fc.constantFrom("eu", "us-east-1", " eu ", "é", ""), nastyString),
            tags: fc.array(fc.string({ maxLength: 4 }), { maxLength: 4 }),
            count: fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constant(1.5)),
          },
          { requiredKeys: ["text"] },
        );
      case "recursive":
        return fc.record({ node: fc.oneof(garbage, fc.constant({ value: 1, children: [{ value: 2 }] })) });
      case "confirm":
        return fc.record({ action: fc.constantFrom("delete", "deploy", "x", "") });
      case "progress":
        return fc.record({
          steps: fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom(-1, 6, 2.5, "3")),
        });
      default:
        return fc.constant({});
    }
  })();
  return fc.oneof({ weight: 8, arbitrary: valid }, { weight: 1, arbitrary: garbage });
}

const toolCallParams = fc
  .oneof(
    { weight: 12, arbitrary: fc.constantFrom(...TOOL_NAMES) },
    { weight: 1, arbitrary: hostileString },
    { weight: 1, arbitrary: garbage },
  )
  .chain((name) =>
    fc
      .record({
        args: typeof name === "string" ? toolArguments(name) : garbage,
        meta: progressMeta,
        omitArgs: fc.boolean(),
      })
      .map(({ args, meta, omitArgs }) => {
        const params: Record<string, unknown> = { name };
        if (!omitArgs || name === "add") params.arguments = args;
        if (meta !== null) params._meta = meta;
        return params;
      }),
  );

const RESOURCE_URIS = [
  "docs://readme",
  "docs://logo",
  "docs://secret",
  "notes://1",
  "notes://42",
  "notes://missing",
  "notes://crash",
  "notes://%ZZ",
  "notes://%F0%9F%99%82",
  "notes://a/b",
  "notes://",
  "docs://nope",
  "file:///etc/passwd",
  "",
] as const;

const resourceUri = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...RESOURCE_URIS) },
  { weight: 1, arbitrary: hostileString.map((s) => `notes://${s}`) },
  { weight: 1, arbitrary: garbage },
);

const cursor: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 15 }).map((i) => new Ref("cursor", 0, i)) },
  { weight: 2, arbitrary: fc.base64String({ maxLength: 40 }) },
  { weight: 2, arbitrary: garbage },
);

const LOG_LEVELS = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"] as const;

/** `{ method, params }` of a request valid in `era` (params may still be wrong in detail). */
function requestOf(
  era: "legacy" | "modern",
): fc.Arbitrary<{ method: string; params: Record<string, unknown> }> {
  const m = (method: string, params: fc.Arbitrary<Record<string, unknown>> = fc.constant({})) =>
    params.map((p) => ({ method, params: p }));
  const common = [
    { weight: 3, arbitrary: m("ping") },
    { weight: 3, arbitrary: m("tools/list", fc.record({ cursor }, { requiredKeys: [] })) },
    { weight: 14, arbitrary: m("tools/call", toolCallParams) },
    { weight: 2, arbitrary: m("resources/list", fc.record({ cursor }, { requiredKeys: [] })) },
    { weight: 1, arbitrary: m("resources/templates/list", fc.record({ cursor }, { requiredKeys: [] })) },
    { weight: 4, arbitrary: m("resources/read", fc.record({ uri: resourceUri })) },
    { weight: 2, arbitrary: m("prompts/list", fc.record({ cursor }, { requiredKeys: [] })) },
    {
      weight: 3,
      arbitrary: m(
        "prompts/get",
        fc.record(
          {
            name: fc.oneof(fc.constant("review"), fc.constant("review"), hostileString),
            arguments: fc.oneof(
              fc.record(
                { code: fc.string({ maxLength: 20 }), tone: fc.constantFrom("terse", "x") },
                { requiredKeys: [] },
              ),
              garbage,
            ),
          },
          { requiredKeys: ["name"] },
        ),
      ),
    },
    {
      weight: 3,
      arbitrary: m(
        "completion/complete",
        fc.record(
          {
            ref: fc.oneof(
              fc.constant({ type: "ref/prompt", name: "review" }),
              fc.constant({ type: "ref/resource", uri: "notes://{id}" }),
              fc.record({
                type: fc.constantFrom("ref/prompt", "ref/resource", "ref/x"),
                name: hostileString,
                uri: hostileString,
              }),
              garbage,
            ),
            argument: fc.oneof(
              fc.record({
                name: fc.constantFrom("tone", "id", "code", "nope"),
                value: fc.string({ maxLength: 5 }),
              }),
              garbage,
            ),
            context: fc.oneof(
              fc.record({ arguments: fc.oneof(fc.constant({ code: "x" }), garbage) }),
              garbage,
            ),
          },
          { requiredKeys: ["ref", "argument"] },
        ),
      ),
    },
    { weight: 1, arbitrary: fc.record({ method: hostileString, params: fc.constant({}) }) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          "foo/bar",
          "rpc.discover",
          "__proto__",
          "constructor",
          "tools/list/",
          "TOOLS/LIST",
          "initialize ",
          "sampling/createMessage",
        )
        .map((method) => ({ method, params: {} })),
    },
  ];
  if (era === "legacy") {
    return fc.oneof(
      ...common,
      { weight: 2, arbitrary: m("resources/subscribe", fc.record({ uri: resourceUri })) },
      { weight: 1, arbitrary: m("resources/unsubscribe", fc.record({ uri: resourceUri })) },
      {
        weight: 2,
        arbitrary: m(
          "logging/setLevel",
          fc.record({ level: fc.oneof(fc.constantFrom(...LOG_LEVELS), garbage) }),
        ),
      },
      { weight: 1, arbitrary: m("server/discover") },
      { weight: 1, arbitrary: m("subscriptions/listen", fc.constant({ notifications: {} })) },
    );
  }
  return fc.oneof(
    ...common,
    { weight: 2, arbitrary: m("server/discover") },
    {
      weight: 2,
      arbitrary: m(
        "subscriptions/listen",
        fc.record({
          notifications: fc.oneof(
            fc.record(
              {
                toolsListChanged: fc.boolean(),
                resourcesListChanged: fc.boolean(),
                promptsListChanged: fc.boolean(),
                resourceSubscriptions: fc.oneof(fc.constant(["docs://readme"]), garbage),
              },
              { requiredKeys: [] },
            ),
            garbage,
          ),
        }),
      ),
    },
    { weight: 1, arbitrary: m("logging/setLevel", fc.record({ level: fc.constantFrom(...LOG_LEVELS) })) },
    { weight: 1, arbitrary: m("resources/subscribe", fc.record({ uri: resourceUri })) },
  );
}

const notificationOf = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ method: "notifications/initialized", params: {} as unknown }) },
  {
    weight: 3,
    arbitrary: fc.record({
      method: fc.constant("notifications/cancelled"),
      params: fc.record(
        { requestId: requestId, reason: fc.oneof(fc.string({ maxLength: 10 }), garbage) },
        { requiredKeys: [] },
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      method: fc.constant("notifications/progress"),
      params: fc.record({ progressToken: garbage, progress: numbers, total: numbers }, { requiredKeys: [] }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.constant({ method: "notifications/roots/list_changed", params: {} as unknown }),
  },
  { weight: 1, arbitrary: fc.record({ method: hostileString, params: garbage }) },
);

const clientResponse: fc.Arbitrary<LegacyMessage> = fc.record({
  type: fc.constant("response" as const),
  id: fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 7 }).map((i) => new Ref("serverRequest", 0, i)) },
    { weight: 2, arbitrary: requestId },
  ),
  result: fc.oneof(
    fc.constant({ action: "accept", content: { ok: true } }),
    fc.constant({ roots: [] }),
    fc.constant({ action: "decline" }),
    garbage,
  ),
});

const clientErrorResponse: fc.Arbitrary<LegacyMessage> = fc.record({
  type: fc.constant("response" as const),
  id: fc.oneof(
    fc.integer({ min: 0, max: 7 }).map((i) => new Ref("serverRequest", 0, i)),
    requestId,
  ),
  error: fc.oneof(fc.record({ code: fc.integer(), message: fc.string({ maxLength: 10 }) }), garbage),
});

const legacyMessage: fc.Arbitrary<LegacyMessage> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc
      .record({ id: requestId, req: requestOf("legacy") })
      .map(({ id, req }) => ({ type: "request" as const, id, method: req.method, params: req.params })),
  },
  {
    weight: 2,
    arbitrary: notificationOf.map((n) => ({
      type: "notification" as const,
      method: n.method,
      params: n.params,
    })),
  },
  { weight: 1, arbitrary: clientResponse },
  { weight: 1, arbitrary: clientErrorResponse },
);

const slot = fc.integer({ min: 0, max: SESSION_SLOTS - 1 });

const legacyVersion = fc.oneof(
  { weight: 6, arbitrary: fc.constant("session") },
  { weight: 2, arbitrary: fc.constant("none") },
  { weight: 2, arbitrary: fc.constantFrom(...LEGACY_VERSIONS) },
  { weight: 1, arbitrary: fc.constantFrom(MODERN_VERSION, "2099-01-01", "", "2025-11-25 ", "garbage") },
);

const legacyBase: fc.Arbitrary<Base> = fc.record({
  kind: fc.constant("legacy" as const),
  slot,
  version: legacyVersion,
  auth: fc.boolean(),
  message: legacyMessage,
});

const legacyBatchBase: fc.Arbitrary<Base> = fc.record({
  kind: fc.constant("legacy-batch" as const),
  slot,
  auth: fc.boolean(),
  messages: fc.array(
    fc.oneof(
      { weight: 6, arbitrary: legacyMessage },
      { weight: 1, arbitrary: garbage.map((value) => ({ type: "junk" as const, value })) },
      {
        weight: 1,
        arbitrary: fc.constant({
          type: "request" as const,
          id: 1,
          method: "initialize",
          params: {
            protocolVersion: "2025-03-26",
            capabilities: {},
            clientInfo: { name: "x", version: "1" },
          },
        }),
      },
    ),
    { maxLength: 6 },
  ),
});

const initializeBase: fc.Arbitrary<Base> = fc.record({
  kind: fc.constant("initialize" as const),
  id: requestId,
  protocolVersion: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...LEGACY_VERSIONS) },
    { weight: 1, arbitrary: fc.constantFrom(MODERN_VERSION, "2099-01-01", "1.0") },
    { weight: 1, arbitrary: garbage },
  ),
  capabilities: fc.oneof(
    fc.constant({}),
    fc.constant({ elicitation: {}, roots: { listChanged: true }, sampling: {} }),
    garbage,
  ),
  clientInfo: fc.oneof(fc.constant({ name: "fuzz", version: "1" }), garbage),
});

const lastEventId: fc.Arbitrary<HeaderValue | null> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  {
    weight: 4,
    arbitrary: fc
      .record({ s: slot, i: fc.integer({ min: 0, max: 7 }) })
      .map(({ s, i }) => new Ref("event", s, i) as HeaderValue),
  },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.constantFrom(
        "0",
        "x/1",
        "/",
        "/1",
        "x/",
        "x/0",
        "x/-1",
        "x/99999999999999999999",
        "get-x/1",
        "a/b/c",
      ),
      hostileString,
    ),
  },
);

const getBase: fc.Arbitrary<Base> = fc.record({
  kind: fc.constant("legacy-get" as const),
  slot,
  auth: fc.boolean(),
  lastEventId,
});

const deleteBase: fc.Arbitrary<Base> = fc.record({
  kind: fc.constant("legacy-delete" as const),
  slot,
  auth: fc.boolean(),
});

const modernBase: fc.Arbitrary<Base> = fc
  .record({
    kind: fc.constant("modern" as const),
    request: requestOf("modern"),
    mirror: fc.boolean(),
    options: fc.record({
      id: requestId,
      protocolVersion: fc.oneof(
        { weight: 12, arbitrary: fc.constant(MODERN_VERSION) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(...LEGACY_VERSIONS, "2099-01-01", "", " 2026-07-28", "garbage"),
        },
      ),
      clientCapabilities: fc.oneof(
        { weight: 3, arbitrary: fc.constant({}) },
        { weight: 3, arbitrary: fc.constant({ elicitation: {}, roots: {}, sampling: {} }) },
        { weight: 1, arbitrary: fc.constant({ elicitation: null, roots: false }) },
        { weight: 1, arbitrary: garbage },
      ),
      clientInfo: fc.oneof(
        { weight: 4, arbitrary: fc.constant({ name: "fuzz", version: "1" }) },
        { weight: 1, arbitrary: garbage },
      ),
      logLevel: fc.option(fc.oneof(fc.constantFrom(...LOG_LEVELS), fc.string({ maxLength: 5 })), {
        freq: 4,
        nil: undefined,
      }),
      notification: fc.oneof(
        { weight: 9, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
    }),
  })
  .map(({ request, mirror, options }) => ({
    kind: "modern" as const,
    method: request.method,
    params: request.params,
    mirror,
    options,
  }));

const mrtrRetryBase: fc.Arbitrary<Base> = fc.record({
  kind: fc.constant("mrtr-retry" as const),
  index: fc.integer({ min: 0, max: 15 }),
  answer: fc.constantFrom("accept", "accept", "decline", "cancel", "wrong-shape", "none", "extra-keys"),
  state: fc.constantFrom(
    "as-issued",
    "as-issued",
    "as-issued",
    "flipped",
    "truncated",
    "no-mac",
    "garbage",
    "other-args",
    "number",
  ),
});

/** Calls that ask the client for input: legacy sessions that can answer, modern calls that declare the capability. */
const inputCall = fc.record({
  name: fc.constantFrom("confirm", "confirm", "gather"),
  action: fc.constantFrom("delete", "deploy", "x"),
  progress: fc.boolean(),
});

const legacyInputBase: fc.Arbitrary<Base> = fc
  .record({ call: inputCall, slot: fc.constantFrom(0, 2, 3), id: fc.integer({ min: 1, max: 1_000 }) })
  .map(({ call, slot, id }) => {
    const params: Record<string, unknown> = {
      name: call.name,
      arguments: call.name === "confirm" ? { action: call.action } : {},
    };
    if (call.progress) params._meta = { progressToken: id };
    return {
      kind: "legacy" as const,
      slot,
      version: "session",
      auth: true,
      message: { type: "request" as const, id, method: "tools/call", params },
    };
  });

const modernInputBase: fc.Arbitrary<Base> = fc
  .record({ call: inputCall, id: fc.integer({ min: 1, max: 1_000 }) })
  .map(({ call, id }) => ({
    kind: "modern" as const,
    method: "tools/call",
    params: { name: call.name, arguments: call.name === "confirm" ? { action: call.action } : {} },
    mirror: true,
    options: {
      id,
      protocolVersion: MODERN_VERSION,
      clientCapabilities: { elicitation: {}, roots: {} },
      clientInfo: { name: "fuzz", version: "1" },
      logLevel: undefined,
      notification: false,
    },
  }));

const preset = fc.constantFrom<Preset>("legacy", "modern", "bare");

/** Deep nesting built as text, up to a few thousand levels (JSON.stringify is never asked to). */
const deepText = fc
  .record({
    depth: fc.oneof(fc.integer({ min: 60, max: 200 }), fc.integer({ min: 200, max: 5_000 })),
    shape: fc.constantFrom("array", "object", "params", "batch"),
    closed: fc.boolean(),
  })
  .map(({ depth, shape, closed }) => {
    const inner = (open: string, close: string) => open.repeat(depth) + (closed ? close.repeat(depth) : "");
    switch (shape) {
      case "array":
        return inner("[", "]");
      case "object":
        return `${'{"a":'.repeat(depth)}1${closed ? "}".repeat(depth) : ""}`;
      case "params":
        return `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":${inner("[", "]")}}}}`;
      default:
        return `[${inner("[", "]")},{"jsonrpc":"2.0","id":1,"method":"ping"}]`;
    }
  });

/** Big arrays built as text (up to ~240 KB). */
const bigArrayText = fc
  .record({ n: fc.integer({ min: 1_000, max: 110_000 }), batch: fc.boolean() })
  .map(({ n, batch }) =>
    batch
      ? `[${'{"jsonrpc":"2.0","method":"notifications/initialized"},'.repeat(Math.min(n, 4_000))}{}]`
      : `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x","tags":[${"0,".repeat(n)}0]}}}`,
  );

const wholeBodyText = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "null",
      "0",
      "-1",
      "1e999",
      '"x"',
      "true",
      "[]",
      "{}",
      "[[]]",
      "[{}]",
      "[null]",
      "[1,2]",
      '""',
      " ",
      "",
    ),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 2, arbitrary: deepText },
  { weight: 1, arbitrary: bigArrayText },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '{"jsonrpc":"2.0","id":1,"method":"ping"',
      '{"jsonrpc":"2.0","id":1,"method":"ping",}',
      '{"jsonrpc":"2.0","id":1,"method":"ping"}{"jsonrpc":"2.0","id":2,"method":"ping"}',
      '{"jsonrpc":"2.0","id":1,"method":"ping","method":"tools/list"}',
      '{"jsonrpc":"2.0","id":1,"method":"ping"}\u0000',
      "{'jsonrpc':'2.0'}",
      '{"jsonrpc":"2.0","id":1,"method":"p\\ud800ing"}',
      '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"\\udc00"}}}',
      '{"__proto__":{"jsonrpc":"2.0"},"id":1,"method":"ping"}',
      '{"jsonrpc":"2.0","id":1,"method":"ping","params":{"__proto__":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}}',
      '{"jsonrpc":"2.0","id":1e999,"method":"ping"}',
      '{"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"ping"}',
    ),
  },
);

const textBase: fc.Arbitrary<Base> = fc.record({
  kind: fc.constant("text" as const),
  preset,
  text: wholeBodyText,
});

const bytesBase: fc.Arbitrary<Base> = fc.record({
  kind: fc.constant("bytes" as const),
  preset,
  bytes: fc.oneof(
    { weight: 4, arbitrary: fc.uint8Array({ maxLength: 64 }) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1_000, maxLength: 20_000 }) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(
          [0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00],
          [0xef, 0xbb, 0xbf, 0x7b, 0x7d],
          [0xc3, 0x28],
          [0xed, 0xa0, 0x80],
          [0xf4, 0x90, 0x80, 0x80],
          [0xc0, 0xaf],
          [0x1f, 0x8b, 0x08, 0x00],
        )
        .map((b) => Uint8Array.from(b)),
    },
  ),
});

export const baseArb: fc.Arbitrary<Base> = fc.oneof(
  { weight: 22, arbitrary: legacyBase },
  { weight: 4, arbitrary: legacyBatchBase },
  { weight: 4, arbitrary: initializeBase },
  { weight: 3, arbitrary: getBase },
  { weight: 1, arbitrary: deleteBase },
  { weight: 30, arbitrary: modernBase },
  { weight: 5, arbitrary: mrtrRetryBase },
  { weight: 3, arbitrary: legacyInputBase },
  { weight: 3, arbitrary: modernInputBase },
  { weight: 6, arbitrary: textBase },
  { weight: 2, arbitrary: bytesBase },
);

// ---------------------------------------------------------------------------------------------
// Mutations

/** Body paths worth aiming at (others are reached by `setAt`/`dropAt` on any existing path). */
const BODY_PATHS: string[][] = [
  ["jsonrpc"],
  ["id"],
  ["method"],
  ["params"],
  ["result"],
  ["error"],
  ["__proto__"],
  ["params", "__proto__"],
  ["params", "_meta"],
  ["params", "_meta", "progressToken"],
  ["params", "_meta", META_PROTOCOL_VERSION],
  ["params", "_meta", META_CLIENT_CAPABILITIES],
  ["params", "_meta", META_CLIENT_CAPABILITIES, "elicitation"],
  ["params", "_meta", META_CLIENT_INFO],
  ["params", "_meta", META_LOG_LEVEL],
  ["params", "_meta", "__proto__"],
  ["params", "name"],
  ["params", "arguments"],
  ["params", "arguments", "__proto__"],
  ["params", "arguments", "a"],
  ["params", "arguments", "query"],
  ["params", "arguments", "text"],
  ["params", "arguments", "region"],
  ["params", "arguments", "action"],
  ["params", "arguments", "steps"],
  ["params", "arguments", "node"],
  ["params", "uri"],
  ["params", "cursor"],
  ["params", "requestState"],
  ["params", "inputResponses"],
  ["params", "inputResponses", "__proto__"],
  ["params", "protocolVersion"],
  ["params", "capabilities"],
  ["params", "clientInfo"],
  ["params", "ref"],
  ["params", "argument"],
  ["params", "context"],
  ["params", "level"],
  ["params", "notifications"],
  ["params", "requestId"],
];

const bodyOp: fc.Arbitrary<BodyOp> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant("set" as const),
      path: fc.constantFrom(...BODY_PATHS),
      value: garbage,
      element: fc.nat(5),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("drop" as const),
      path: fc.constantFrom(...BODY_PATHS),
      element: fc.nat(5),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("setAt" as const),
      index: fc.nat(),
      value: garbage,
      element: fc.nat(5),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant("dropAt" as const), index: fc.nat(), element: fc.nat(5) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant("batch" as const), copies: fc.integer({ min: 0, max: 4 }) }),
  },
);

const textOp: fc.Arbitrary<TextOp> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("truncate" as const),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant("insertBytes" as const),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      bytes: fc.oneof(
        fc.constantFrom<readonly number[]>(
          [0xff],
          [0xc3, 0x28],
          [0xed, 0xa0, 0x80],
          [0xf8, 0x88, 0x80, 0x80, 0x80],
          [0x80],
          [0xe2, 0x82],
          [0x00],
        ),
        fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }),
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: "bom" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "latin1" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "utf16" as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("append" as const),
      text: fc.constantFrom(
        " ",
        "\n",
        "x",
        "}",
        ",",
        "\u0000",
        '{"jsonrpc":"2.0","id":2,"method":"ping"}',
        "\ud800",
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("prepend" as const),
      text: fc.constantFrom(" ", "\n\t", "[", ")]}'\n", "\u00a0", "\ufeff"),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("nest" as const),
      depth: fc.oneof(fc.integer({ min: 30, max: 100 }), fc.integer({ min: 100, max: 4_000 })),
      open: fc.constantFrom<"[" | "{">("[", "{"),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("duplicateKey" as const),
      key: fc.constantFrom("method", "id", "jsonrpc", "params", "__proto__"),
      value: fc.constantFrom('"ping"', "1", "null", '"1.0"', "{}", '"tools/call"'),
    }),
  },
);

const HEADER_NAMES = [
  "content-type",
  "accept",
  "mcp-protocol-version",
  "mcp-session-id",
  "mcp-method",
  "mcp-name",
  "mcp-param-region",
  "mcp-param-query",
  "mcp-param-other",
  "last-event-id",
  "origin",
  "host",
  "authorization",
  "content-length",
  "content-encoding",
  "x-request-id",
  "x-forwarded-host",
  "x-forwarded-proto",
  "access-control-request-method",
  "access-control-request-headers",
  "cookie",
] as const;

const mirrorEncoding = fc.constantFrom<MirrorEncoding>(
  "exact",
  "plain",
  "base64",
  "base64-upper",
  "base64-unpadded",
  "base64-badchar",
  "base64-not-utf8",
  "base64-empty",
  "spaced",
  "other",
);

const headerGarbage: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary-ascii", maxLength: 12 }) },
  { weight: 2, arbitrary: nastyString },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 7_000 }).map((n) => "x".repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 1_000 }).map((n) => "é".repeat(n)) },
);

/** Values for one header name: the meaningful ones first, then garbage. */
function headerValue(name: string): fc.Arbitrary<HeaderValue> {
  const of = (...values: string[]) => fc.constantFrom(...values) as fc.Arbitrary<HeaderValue>;
  const choice = (meaningful: fc.Arbitrary<HeaderValue>) =>
    fc.oneof(
      { weight: 4, arbitrary: meaningful },
      { weight: 1, arbitrary: headerGarbage as fc.Arbitrary<HeaderValue> },
    );
  switch (name) {
    case "content-type":
      return choice(
        of(
          "application/json",
          "application/json; charset=utf-8",
          "APPLICATION/JSON",
          "application/json;charset=latin1",
          "application/json, text/plain",
          "text/plain",
          "text/event-stream",
          "application/x-www-form-urlencoded",
          "multipart/form-data; boundary=x",
          "application/jsonx",
          "application/octet-stream",
          "",
          ";",
        ),
      );
    case "accept":
      return choice(
        of(
          "application/json, text/event-stream",
          "*/*",
          "application/json",
          "text/event-stream",
          "application/*, text/*",
          "application/json;q=0, text/event-stream;q=0",
          "text/event-stream, application/json, */*;q=0.1",
          "",
          ",,,",
        ),
      );
    case "mcp-protocol-version":
      return choice(
        of(
          MODERN_VERSION,
          ...LEGACY_VERSIONS,
          "2099-01-01",
          "",
          ` ${MODERN_VERSION} `,
          "2026-07-28, 2025-11-25",
        ),
      );
    case "mcp-session-id":
      return fc.oneof(
        { weight: 4, arbitrary: slot.map((s) => new Ref("session", s) as HeaderValue) },
        { weight: 2, arbitrary: fc.stringMatching(/^[!-~]{1,64}$/) as fc.Arbitrary<HeaderValue> },
        { weight: 2, arbitrary: headerGarbage as fc.Arbitrary<HeaderValue> },
      );
    case "mcp-method":
      return fc.oneof(
        { weight: 3, arbitrary: mirrorEncoding.map((e) => new Mirror("method", e) as HeaderValue) },
        {
          weight: 1,
          arbitrary: of("tools/call", "ping", "=?base64?dG9vbHMvY2FsbA==?=", "=?base64?dG9vbHMvY2FsbA?="),
        },
        { weight: 1, arbitrary: headerGarbage as fc.Arbitrary<HeaderValue> },
      );
    case "mcp-name":
      return fc.oneof(
        { weight: 3, arbitrary: mirrorEncoding.map((e) => new Mirror("name", e) as HeaderValue) },
        {
          weight: 1,
          arbitrary: of("add", "echo", "docs://readme", "=?base64?ZWNobw==?=", "=?base64?ZWNobw=?="),
        },
        { weight: 1, arbitrary: headerGarbage as fc.Arbitrary<HeaderValue> },
      );
    case "mcp-param-region":
    case "mcp-param-query":
    case "mcp-param-other": {
      const arg = name === "mcp-param-region" ? "region" : name === "mcp-param-query" ? "query" : "other";
      return fc.oneof(
        { weight: 3, arbitrary: mirrorEncoding.map((e) => new Mirror("arg", e, arg) as HeaderValue) },
        { weight: 1, arbitrary: headerGarbage as fc.Arbitrary<HeaderValue> },
      );
    }
    case "last-event-id":
      return lastEventId.map((v) => v ?? "");
    case "origin":
      return choice(
        of(
          "https://app.example.com",
          "https://app.example.com/",
          "http://localhost:5173",
          "http://127.0.0.1",
          "http://[::1]:3000",
          "https://evil.example",
          "http://evil.example.com:80",
          "null",
          "file://",
          "chrome-extension://abc",
          "https://app.example.com.evil.example",
          "http://localhost.evil.example",
        ),
      );
    case "host":
      return choice(
        of(
          "localhost",
          "127.0.0.1",
          "[::1]",
          "[::1]:1",
          "mcp.example.com",
          "MCP.EXAMPLE.COM:443",
          "evil.example.com",
          "localhost.evil.example",
          "127.0.0.1.nip.io",
          "",
          ":80",
          "[",
          "a b",
          "xn--nxasmq6b",
          "abc123.lambda-url.us-east-1.on.aws",
          "fuzz.fuzz.workers.dev",
        ),
      );
    case "authorization":
      return choice(
        of(
          "Bearer fuzz-reader-token",
          "Bearer fuzz-admin-token",
          "Bearer fuzz-revoked-token",
          "bearer fuzz-admin-token",
          "Bearer",
          "Bearer ",
          "Basic dXNlcjpwYXNz",
          "Bearer a.b.c",
          "Bearer fuzz-admin-token, Bearer fuzz-reader-token",
        ),
      );
    case "content-length":
      return of("0", "1", "-1", "99999999999", "4194305", "abc", "1, 2", "00");
    case "content-encoding":
      return of("gzip", "br", "identity", "deflate, gzip", "x");
    case "access-control-request-method":
      return of("POST", "GET", "DELETE", "PUT", "", "post");
    case "access-control-request-headers":
      return of(
        "content-type, mcp-session-id",
        "authorization",
        "x-evil",
        "mcp-param-region, mcp-method",
        "",
      );
    default:
      return headerGarbage as fc.Arbitrary<HeaderValue>;
  }
}

const headerName = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...HEADER_NAMES) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/) },
);

const headerOp: fc.Arbitrary<HeaderOp> = fc.oneof(
  {
    weight: 6,
    arbitrary: headerName.chain((name) =>
      headerValue(name).map((value) => ({ op: "set" as const, name, value })),
    ),
  },
  {
    weight: 1,
    arbitrary: headerName.chain((name) =>
      headerValue(name).map((value) => ({ op: "append" as const, name, value })),
    ),
  },
  { weight: 3, arbitrary: headerName.map((name) => ({ op: "remove" as const, name })) },
);

const HTTP_METHODS = [
  "GET",
  "POST",
  "DELETE",
  "OPTIONS",
  "PUT",
  "PATCH",
  "HEAD",
  "PROPFIND",
  "FOO",
  "post",
  "Get",
] as const;

const PATHS = [
  "/mcp",
  "/",
  "/mcp/",
  "/MCP",
  "/mcp?x=1",
  "/mcp?%ZZ",
  "/mcp/../mcp",
  "/%2e%2e/mcp",
  "//mcp",
  "/mcp;a=b",
  "/mcp?" + "q=1&".repeat(200),
  "/.well-known/oauth-protected-resource",
  "/mcp/%F0%9F%99%82",
] as const;

/** How many mutations of one kind a case gets: mostly none, so that most requests get deep. */
const few = <T>(arb: fc.Arbitrary<T>, weightNone: number) =>
  fc.oneof(
    { weight: weightNone, arbitrary: fc.constant([] as T[]) },
    { weight: 3, arbitrary: fc.array(arb, { minLength: 1, maxLength: 1 }) },
    { weight: 1, arbitrary: fc.array(arb, { minLength: 2, maxLength: 3 }) },
  );

/** One hostile request. */
export const fuzzCaseArb: fc.Arbitrary<FuzzCase> = fc.record({
  base: baseArb,
  bodyOps: few(bodyOp, 8),
  textOps: few(textOp, 30),
  headerOps: few(headerOp, 7),
  method: fc.oneof(
    { weight: 14, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom(...HTTP_METHODS) },
  ),
  path: fc.oneof(
    { weight: 20, arbitrary: fc.constant("/mcp") },
    { weight: 1, arbitrary: fc.constantFrom(...PATHS) },
  ),
  reply: fc.constantFrom<ReplyMode>(
    "accept",
    "accept",
    "decline",
    "error",
    "odd",
    "invalid",
    "wrong-id",
    "drop",
  ),
});

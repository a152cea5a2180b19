/**
 * The trace a request belongs to, so its log lines (and, later, spans) join the caller's trace:
 * from the request's `_meta.traceparent` (MCP's place for W3C trace context, both eras), else the
 * HTTP `traceparent` header, else AWS X-Ray's `X-Amzn-Trace-Id` header (API Gateway, ALB) or the
 * Lambda runtime's `_X_AMZN_TRACE_ID` variable.
 */

export interface TraceContext {
  /** 32 lowercase hex digits (an X-Ray root id without its version and dashes). */
  readonly traceId: string;
  /** The caller's span (16 hex digits), when given. */
  readonly parentSpanId?: string;
  readonly sampled?: boolean;
  /** Where it was read. */
  readonly source: "meta" | "traceparent" | "x-ray";
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;
const ZEROS = /^0+$/;

/** A W3C `traceparent` value (version 00, or a later one read as 00), or `undefined` if invalid. */
export function parseTraceparent(value: unknown, source: "meta" | "traceparent"): TraceContext | undefined {
  if (typeof value !== "string") return undefined;
  const m = TRACEPARENT.exec(value.trim());
  if (m === null) return undefined;
  const [, version, traceId, spanId, flags] = m as unknown as [string, string, string, string, string];
  if (version === "ff" || (version === "00" && value.trim().length !== 55)) return undefined;
  if (ZEROS.test(traceId) || ZEROS.test(spanId)) return undefined;
  return { traceId, parentSpanId: spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1, source };
}

const XRAY_ROOT = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/;

/** An X-Ray trace header (`Root=1-…-…;Parent=…;Sampled=1`), or `undefined` if it has no valid root. */
export function parseXRay(value: unknown): TraceContext | undefined {
  if (typeof value !== "string") return undefined;
  const parts = new Map<string, string>();
  for (const part of value.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) parts.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const root = XRAY_ROOT.exec(parts.get("root") ?? "");
  if (root === null) return undefined;
  const traceId = `${root[1]}${root[2]}`;
  // All-zero ids are invalid trace and span ids in W3C Trace Context (and OpenTelemetry).
  if (ZEROS.test(traceId)) return undefined;
  const context: { traceId: string; source: "x-ray"; parentSpanId?: string; sampled?: boolean } = {
    traceId,
    source: "x-ray",
  };
  const parent = parts.get("parent");
  if (parent !== undefined && /^[0-9a-f]{16}$/.test(parent) && !ZEROS.test(parent))
    context.parentSpanId = parent;
  const sampled = parts.get("sampled");
  if (sampled === "1" || sampled === "0") context.sampled = sampled === "1";
  return context;
}

const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
/** Only the Lambda runtime sets `_X_AMZN_TRACE_ID` (per invocation); elsewhere it is never read. */
const onLambda = env?.AWS_LAMBDA_FUNCTION_NAME !== undefined;

/** The Lambda runtime's per-invocation X-Ray header. */
function xrayEnv(): string | undefined {
  return onLambda ? env?._X_AMZN_TRACE_ID : undefined;
}

/** The trace of a request: `_meta` first, then the HTTP headers, then the Lambda environment. */
export function traceContextOf(
  headers: Headers,
  meta: Record<string, unknown> | undefined,
): TraceContext | undefined {
  return (
    parseTraceparent(meta?.traceparent, "meta") ??
    parseTraceparent(headers.get("traceparent"), "traceparent") ??
    parseXRay(headers.get("x-amzn-trace-id")) ??
    parseXRay(xrayEnv())
  );
}

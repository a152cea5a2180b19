/**
 * Reverse converters for tests and the local dev server: a Fetch `Request` as the event API Gateway,
 * a Function URL or an ALB would deliver, and a Lambda result back as a `Response`.
 */
import { base64ToBytes, bytesToBase64, isTextType, utf8Text } from "./_body.ts";
import type { EventKind } from "./_strategy.ts";
import type {
  AlbEvent,
  ApiGatewayV1Event,
  ApiGatewayV2Event,
  LambdaHttpEvent,
  LambdaHttpResult,
} from "./_types.ts";

/** Options of {@link toEvent}. */
export interface ToEventOptions {
  /** ALB only: multi-value header mode (as enabled on the target group). Default false. */
  multiValue?: boolean;
  /** Authorizer context to put in the event (v1: `requestContext.authorizer`, v2: `requestContext.authorizer`). */
  authorizer?: Record<string, unknown>;
  /** `requestContext.requestId`. Default: a random UUID. */
  requestId?: string;
  /**
   * `requestContext.domainName` (v1, v2; ALB events have none): the host the front door routed the
   * request by, which the handler passes on as `ctx.routedHosts`. Default: the request URL's host,
   * as on AWS, where API Gateway and Function URLs only invoke the function for their own domain.
   * Set it to simulate a deployed domain (`abc123.execute-api.us-east-1.amazonaws.com`) or, as the
   * dev server does, to a fixed name no client chooses.
   */
  domainName?: string;
  /**
   * The caller's address, as API Gateway and Function URLs record the TCP peer they saw: v1
   * `requestContext.identity.sourceIp`, v2 `requestContext.http.sourceIp` (the handler passes it on
   * as `ctx.clientAddress`). ALB events have no such field. Default `127.0.0.1`; the dev server
   * puts its TCP peer here.
   */
  sourceIp?: string;
}

async function bodyOf(request: Request): Promise<{ body: string | undefined; isBase64Encoded: boolean }> {
  if (request.body === null) return { body: undefined, isBase64Encoded: false };
  const bytes = new Uint8Array(await request.arrayBuffer());
  const text = isTextType(request.headers.get("content-type")) ? utf8Text(bytes) : undefined;
  if (text !== undefined) return { body: text, isBase64Encoded: false };
  return { body: bytesToBase64(bytes), isBase64Encoded: true };
}

function push(map: Record<string, string[]>, name: string, value: string): void {
  const values = map[name];
  if (values === undefined) map[name] = [value];
  else values.push(value);
}

function multiOf(entries: Iterable<[string, string]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of entries) push(out, name, value);
  return out;
}

function singleOf(multi: Record<string, string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of Object.entries(multi)) out[name] = values.join(",");
  return out;
}

/** The event a front door would deliver for `request` (`v2` = HTTP API and Function URL). */
export async function toEvent(
  request: Request,
  kind: EventKind,
  opts: ToEventOptions = {},
): Promise<LambdaHttpEvent> {
  const url = new URL(request.url);
  const { body, isBase64Encoded } = await bodyOf(request);
  const requestId = opts.requestId ?? crypto.randomUUID();
  const sourceIp = opts.sourceIp ?? "127.0.0.1";
  const headerPairs = [...request.headers].filter(([name]) => name !== "cookie");
  const cookie = request.headers.get("cookie");
  if (kind === "v2") {
    const event: ApiGatewayV2Event = {
      version: "2.0",
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers: { ...Object.fromEntries(headerPairs), host: url.host },
      isBase64Encoded,
      requestContext: {
        http: { method: request.method, path: url.pathname, sourceIp },
        requestId,
        domainName: opts.domainName ?? url.host,
      },
    };
    if (cookie !== null) event.cookies = cookie.split(/;\s*/);
    if (body !== undefined) event.body = body;
    if (opts.authorizer !== undefined) event.requestContext.authorizer = opts.authorizer;
    return event;
  }
  const headers = multiOf(request.headers);
  headers.host = [url.host];
  const query = multiOf(url.searchParams);
  if (kind === "v1") {
    const event: ApiGatewayV1Event = {
      httpMethod: request.method,
      path: url.pathname,
      headers: singleOf(headers),
      multiValueHeaders: headers,
      queryStringParameters: url.search === "" ? null : singleOf(query),
      multiValueQueryStringParameters: url.search === "" ? null : query,
      body: body ?? null,
      isBase64Encoded,
      requestContext: {
        httpMethod: request.method,
        requestId,
        domainName: opts.domainName ?? url.host,
        stage: "$default",
        path: url.pathname,
        identity: { sourceIp },
      },
    };
    if (opts.authorizer !== undefined) event.requestContext.authorizer = opts.authorizer;
    return event;
  }
  // ALB keeps query values percent-encoded, as sent.
  const rawQuery: Record<string, string[]> = {};
  for (const part of url.search
    .slice(1)
    .split("&")
    .filter((p) => p !== "")) {
    const [name = "", value = ""] = part.split(/=(.*)/s);
    push(rawQuery, name, value);
  }
  const event: AlbEvent = {
    httpMethod: request.method,
    path: url.pathname,
    body: body ?? "",
    isBase64Encoded,
    requestContext: {
      elb: { targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/local/0" },
    },
  };
  if (opts.multiValue === true) {
    event.multiValueHeaders = headers;
    event.multiValueQueryStringParameters = rawQuery;
  } else {
    event.headers = Object.fromEntries(Object.entries(headers).map(([n, v]) => [n, v.at(-1) ?? ""]));
    event.queryStringParameters = Object.fromEntries(
      Object.entries(rawQuery).map(([n, v]) => [n, v.at(-1) ?? ""]),
    );
  }
  return event;
}

/** A Lambda result as the `Response` the front door would send. */
export function fromResult(result: LambdaHttpResult): Response {
  const headers = new Headers();
  const r = result as Partial<{
    headers: Record<string, string>;
    multiValueHeaders: Record<string, string[]>;
    cookies: string[];
    statusDescription: string;
  }>;
  for (const [name, value] of Object.entries(r.headers ?? {})) headers.set(name, value);
  for (const [name, values] of Object.entries(r.multiValueHeaders ?? {})) {
    headers.delete(name);
    for (const value of values) headers.append(name, value);
  }
  for (const cookie of r.cookies ?? []) headers.append("set-cookie", cookie);
  const body = result.isBase64Encoded ? base64ToBytes(result.body) : result.body;
  const empty = result.statusCode === 204 || result.statusCode === 304 || result.body === "";
  return new Response(empty ? null : body, { status: result.statusCode, headers });
}

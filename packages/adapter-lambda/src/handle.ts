import {
  type FetchApp,
  hostErrorResponse,
  LightHeaders,
  readBufferedResponse,
  timerUntil,
} from "@portico/host";
import { resultBody } from "./_body.ts";
import { resolveBodyMargin } from "./_body-margin.ts";
import { defaultOnError } from "./_host.ts";
import { invokeApp } from "./_invoke.ts";
import { oversize, RESULT_LIMITS } from "./_limits.ts";
import type { EventStrategy, RequestOptions, ResultParts } from "./_strategy.ts";
import { isTaskEvent, runTaskEvent } from "./_task-event.ts";
import type { LambdaContextLike, LambdaHttpEvent, LambdaHttpResult } from "./_types.ts";

/** Options of {@link handle} and `streamHandle`. */
export interface LambdaHandlerOptions extends RequestOptions {
  /** Passed to `app.fetch` as its second argument. */
  env?: unknown;
  /**
   * Told about app errors, rejected `waitUntil` promises and `waitUntil` work abandoned at the
   * deadline. Default: `console.error` (tagged `[@portico/adapter-lambda]`).
   */
  onError?: (error: unknown) => void;
  /**
   * How long before the invocation's end a body still being read is given up (504; streamed: the
   * stream is cut if the client is not reading), and `waitUntil` work no longer waited for. Default
   * 500 ms; 0 to 2^31−1 ms (about 24.8 days, the longest a timer waits), else the handler throws a
   * `RangeError` when it is made.
   */
  bodyMarginMs?: number;
}

export type LambdaHandler = (event: unknown, context?: LambdaContextLike) => Promise<LambdaHttpResult>;

/** Reads the whole body, giving up (undefined) at `deadline` so the invocation never runs into its timeout. */
async function readBody(response: Response, deadline: number | undefined): Promise<Uint8Array | undefined> {
  if (response.body === null) return new Uint8Array(0);
  if (deadline === undefined) return new Uint8Array(await response.arrayBuffer());
  let wake: (value: undefined) => void = () => {};
  const late = new Promise<undefined>((resolve) => {
    wake = resolve;
  });
  const timer = timerUntil(deadline, () => wake(undefined));
  try {
    const body = await Promise.race([response.arrayBuffer(), late]);
    if (body === undefined) {
      response.body.cancel().catch(() => {});
      return undefined;
    }
    return new Uint8Array(body);
  } finally {
    clearTimeout(timer);
  }
}

/** The response reduced to a buffered result's parts; `undefined` when its body did not end in time. */
export async function responseParts(response: Response, deadline?: number): Promise<ResultParts | undefined> {
  const buffered = readBufferedResponse(response);
  if (buffered !== undefined) {
    const headers =
      buffered.headers instanceof LightHeaders ? buffered.headers : new LightHeaders(buffered.headers);
    return {
      status: buffered.status,
      statusText: buffered.statusText,
      headers,
      ...resultBody(buffered.body ?? "", headers.get("content-type")),
    };
  }
  const bytes = await readBody(response, deadline);
  if (bytes === undefined) return undefined;
  const headers = new Headers(response.headers);
  // The result is framed by Lambda; the app's own framing headers no longer apply.
  headers.delete("content-length");
  headers.delete("transfer-encoding");
  return {
    status: response.status,
    statusText: response.statusText,
    headers,
    ...resultBody(bytes, headers.get("content-type")),
  };
}

function badRequest(strategy: EventStrategy | undefined, event: unknown): Promise<LambdaHttpResult> {
  return responseParts(hostErrorResponse(400)).then((parts) => {
    const p = parts as ResultParts;
    if (strategy !== undefined) return strategy.toResult(p, event as LambdaHttpEvent);
    // An event of no known kind: the plainest result shape every integration accepts.
    return {
      statusCode: 400,
      headers: Object.fromEntries(p.headers),
      multiValueHeaders: {},
      body: p.body,
      isBase64Encoded: false,
    };
  });
}

/**
 * A buffered Lambda handler for API Gateway REST (v1) and HTTP APIs (v2), Function URLs (BUFFERED)
 * and ALB: `export const handler = handle(app)`. The event kind is detected from its shape; a
 * malformed event gets a 400. The app sees `ctx.requestId` (the `awsRequestId`), `ctx.deadline`,
 * `ctx.authInfo` (authorizer context or JWT claims), `ctx.routedHosts` (the event's
 * `requestContext.domainName`: API Gateway and Function URLs; none for ALB), `ctx.clientAddress`
 * (the event's `sourceIp`: API Gateway and Function URLs; none for ALB), `ctx.multiInstance`,
 * `ctx.waitUntil` (awaited before returning, until the deadline minus `bodyMarginMs`; work still
 * pending then is abandoned and reported to `onError`) and `ctx.canStream: false`: a Portico
 * handler then answers JSON, and refuses long-lived streams with 405. A body that does not end before the invocation's deadline gets 504;
 * a result over the size AWS accepts (6 MB, ALB 1 MB) gets 500, reported to `onError`.
 */
export function handle(app: FetchApp, opts: LambdaHandlerOptions = {}): LambdaHandler {
  const onError = opts.onError ?? defaultOnError;
  const margin = resolveBodyMargin(opts.bodyMarginMs);
  return async (event, context) => {
    if (isTaskEvent(event)) {
      await runTaskEvent(app, event, opts.env, context, onError, margin);
      return { statusCode: 202, headers: {}, body: "" } as LambdaHttpResult;
    }
    const invoked = await invokeApp(app, opts, event, context, false, onError);
    if (!invoked.ok) return badRequest(invoked.strategy, event);
    const { strategy, response, run } = invoked;
    const deadline = run.ctx.deadline === undefined ? undefined : run.ctx.deadline - margin;
    let parts = await responseParts(response, deadline).catch((error: unknown) => {
      onError(error);
      return responseParts(hostErrorResponse(500));
    });
    if (parts === undefined) parts = (await responseParts(hostErrorResponse(504))) as ResultParts;
    await run.settled(deadline);
    const result = strategy.toResult(parts, invoked.event);
    const limit = RESULT_LIMITS[strategy.kind];
    const size = oversize(result, limit);
    if (size === undefined) return result;
    // AWS would answer a bare 502 and tell the app nothing.
    onError(
      new Error(
        `@portico/adapter-lambda: the result is ${size} bytes, over the ${limit} bytes AWS accepts from this invocation; answered 500 (stream large answers with streamHandle behind a Function URL)`,
      ),
    );
    return strategy.toResult((await responseParts(hostErrorResponse(500))) as ResultParts, invoked.event);
  };
}

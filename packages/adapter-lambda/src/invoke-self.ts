/**
 * Tasks on Lambda: each run of a task happens in a second, asynchronous invocation of the same
 * function (`Invoke` with `InvocationType: Event`), so the invocation that created the task answers
 * at once and the work gets a full invocation (up to 15 minutes) of its own; a run that reaches
 * its deadline saves its progress and invokes the function again. `handle()` and `streamHandle()`
 * recognise the task events and run them with `app.runTask(job)`.
 */
import { type AwsCredentials, isTimerMs, lightFetch, signAwsRequest, timerRange } from "@portico/host";
import { env, envCredentials, envRegion } from "./_aws-env.ts";
import type { TaskEvent } from "./_task-event.ts";

export interface InvokeSelfOptions {
  /** Default: `AWS_LAMBDA_FUNCTION_NAME` (the function being run). */
  functionName?: string;
  /** A version or alias to invoke. Default: the running version (`AWS_LAMBDA_FUNCTION_VERSION`), none for `$LATEST`. */
  qualifier?: string;
  /** Default: `AWS_REGION`. */
  region?: string;
  /**
   * The Lambda API endpoint. Default: `AWS_ENDPOINT_URL_LAMBDA`, else `AWS_ENDPOINT_URL`, else
   * `https://lambda.<region>.amazonaws.com` (`serveLambda` of `/dev` answers the same API locally).
   */
  endpoint?: string;
  /** Default: the function's role credentials from the environment (`AWS_ACCESS_KEY_ID`, …). */
  credentials?: AwsCredentials;
  /**
   * Longest wait for the Lambda API to accept the invocation. Default 10 s; 1 to 2^31−1 ms (about
   * 24.8 days, the longest a timer waits), else `invokeSelf` throws a `RangeError`.
   */
  timeoutMs?: number;
}

function required(value: string | undefined, what: string): string {
  if (value === undefined) throw new Error(`invokeSelf: no ${what} (not on Lambda? pass it in the options)`);
  return value;
}

/**
 * A task `dispatch` for `enableTasks(server, { dispatch: invokeSelf() })`: starts each run in an
 * asynchronous invocation of this function. The function's role needs `lambda:InvokeFunction` on
 * itself (the quickstart's SAM and CDK templates grant it).
 */
export function invokeSelf(options: InvokeSelfOptions = {}): (job: unknown) => Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!isTimerMs(timeoutMs, 1)) {
    throw new RangeError(`invokeSelf: timeoutMs must be ${timerRange(1)}, got ${String(timeoutMs)}`);
  }
  return async (job) => {
    const region = required(options.region ?? envRegion(), "region");
    const name = required(options.functionName ?? env("AWS_LAMBDA_FUNCTION_NAME"), "function name");
    const version = env("AWS_LAMBDA_FUNCTION_VERSION");
    const qualifier = options.qualifier ?? (version === "$LATEST" ? undefined : version);
    const credentials = options.credentials ?? envCredentials();
    if ("missing" in credentials) {
      throw new Error(
        `invokeSelf: no credentials (${credentials.missing}) (not on Lambda? pass it in the options)`,
      );
    }
    if (!/^[A-Za-z0-9_-]{1,140}$/.test(name)) {
      throw new Error(`invokeSelf: give the function's name, not an ARN (got ${JSON.stringify(name)})`);
    }
    const endpoint = new URL(
      options.endpoint ??
        env("AWS_ENDPOINT_URL_LAMBDA") ??
        env("AWS_ENDPOINT_URL") ??
        `https://lambda.${region}.amazonaws.com`,
    );
    const body = JSON.stringify({ portico: "task", job } satisfies TaskEvent);
    const path = `/2015-03-31/functions/${name}/invocations`;
    const query: [string, string][] =
      qualifier === undefined ? [] : [["Qualifier", encodeURIComponent(qualifier)]];
    const target = `${path}${query.length === 0 ? "" : `?${query.map(([k, v]) => `${k}=${v}`).join("&")}`}`;
    const headers = await signAwsRequest({
      method: "POST",
      url: new URL(target, endpoint),
      headers: { "content-type": "application/json", "x-amz-invocation-type": "Event" },
      body,
      region,
      service: "lambda",
      credentials,
    });
    headers.host = endpoint.host;
    const { status, text } = await post(endpoint, target, headers, body, timeoutMs);
    if (status !== 202) {
      throw new Error(
        `invokeSelf: Lambda did not accept the task's invocation (HTTP ${status}): ${text.slice(0, 300)}`,
      );
    }
  };
}

async function post(
  endpoint: URL,
  path: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  // lightFetch: node:https through process.getBuiltinModule (never undici, nor a node: import).
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const init = { method: "POST", headers, body, signal, maxBytes: 65_536 };
    const answer = await lightFetch(new URL(path, endpoint), init);
    return { status: answer.status, text: await answer.text() };
  } catch (error) {
    if (signal.aborted) {
      throw new Error(`invokeSelf: no answer from ${endpoint.host} within ${timeoutMs} ms`, { cause: error });
    }
    throw error;
  }
}

import { StoreUnavailableError } from "@portico/core";
import type { AwsCredentials } from "@portico/host";
import { lightFetch, MAX_TIMER_MS, signAwsRequest as signRequest } from "@portico/host";
import { credentialsFromEnv, resolveRegion } from "./_env.ts";
import type { RetryOptions, RetryPolicy } from "./_retry.ts";
import { backoffDelay, isThrottling, retryPolicy, sleep } from "./_retry.ts";
import { DynamoDbError } from "./errors.ts";

/** Options for {@link DynamoDbClient}. */
export interface DynamoDbClientOptions {
  /** AWS region; defaults to `AWS_REGION` / `AWS_DEFAULT_REGION` (`us-east-1` with a custom endpoint). */
  region?: string;
  /** Base URL, e.g. `http://127.0.0.1:8000` for a local server; defaults to the regional endpoint. */
  endpoint?: string;
  /**
   * Credentials, or a function resolving them on every request (cache inside it if it is slow).
   * Defaults to `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, read from
   * `process.env` (where a `process` global exists) on every request.
   */
  credentials?: AwsCredentials | (() => AwsCredentials | Promise<AwsCredentials>);
  /**
   * The fetch to use. Default: `node:https` on Node and Bun (a Lambda cold start then never loads
   * undici, Node's `fetch`), the global `fetch` elsewhere (see `lightFetch` of @portico/host).
   */
  fetch?: typeof fetch;
  /** Retries of throttling, 5xx and network errors. */
  retry?: RetryOptions;
  /**
   * Abort one attempt after this long; it then counts as a network error. Default 5000 ms; a whole
   * number from 1 to 2^31−1 ms (about 24.8 days, the longest a timer waits), else the client throws
   * a `RangeError` when it is made.
   */
  requestTimeoutMs?: number;
}

const TARGET_PREFIX = "DynamoDB_20120810.";
const CONTENT_TYPE = "application/x-amz-json-1.0";

type Failure =
  | { kind: "final"; error: DynamoDbError }
  | { kind: "retry"; reason: string; ambiguous: boolean; throttled: boolean; cause?: unknown };

/**
 * `requestTimeoutMs` checked: `AbortSignal.timeout` takes whole milliseconds only, and a timer keeps
 * at most 2^31−1 of them (a longer one would fire at once, failing every call).
 */
function requestTimeout(value: number | undefined): number {
  if (value === undefined) return 5_000;
  if (!(Number.isInteger(value) && value >= 1 && value <= MAX_TIMER_MS)) {
    throw new RangeError(
      `requestTimeoutMs must be a whole number of ms from 1 to ${MAX_TIMER_MS} (about 24.8 days), got ${String(value)}`,
    );
  }
  return value;
}

/**
 * A minimal DynamoDB client: one signed `fetch` per call, speaking the JSON protocol
 * (`x-amz-target: DynamoDB_20120810.<Operation>`), with its own SigV4 on WebCrypto. Inputs and
 * outputs are DynamoDB's wire JSON (`{ "S": "…" }` attribute values), so nothing is marshalled.
 *
 * Throttling, 5xx answers and network errors are retried with exponential backoff and full
 * jitter; when the retries run out a {@link StoreUnavailableError} is thrown. Any other error
 * answer is a {@link DynamoDbError} at once (a failed condition included).
 */
export class DynamoDbClient {
  readonly region: string;
  readonly endpoint: URL;
  readonly #credentials: DynamoDbClientOptions["credentials"];
  readonly #fetch: typeof fetch | undefined;
  readonly #retry: RetryPolicy;
  readonly #timeoutMs: number;

  constructor(options: DynamoDbClientOptions = {}) {
    this.region = resolveRegion(options.region, options.endpoint);
    this.endpoint = new URL(options.endpoint ?? `https://dynamodb.${this.region}.amazonaws.com/`);
    this.#credentials = options.credentials;
    this.#fetch = options.fetch;
    this.#retry = retryPolicy(options.retry);
    this.#timeoutMs = requestTimeout(options.requestTimeoutMs);
  }

  /** Calls `operation` (e.g. `"GetItem"`) with `input`; resolves DynamoDB's JSON answer. */
  async send<T = Record<string, any>>(operation: string, input: object): Promise<T> {
    const body = JSON.stringify(input);
    const credentials = await this.#resolveCredentials();
    const started = Date.now();
    let ambiguous = false;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#attempt(operation, body, credentials, ambiguous);
      if (outcome.kind === "ok") return outcome.value as T;
      const failure = outcome.failure;
      if (failure.kind === "final") throw failure.error;
      ambiguous ||= failure.ambiguous;
      const delay = backoffDelay(this.#retry, attempt - 1);
      if (attempt >= this.#retry.maxAttempts || Date.now() - started + delay > this.#retry.maxElapsedMs) {
        throw new StoreUnavailableError(
          `DynamoDB ${operation} failed after ${attempt} attempt(s): ${failure.reason}`,
          { cause: failure.cause ?? failure.reason, retryAfterSeconds: failure.throttled ? 1 : 2 },
        );
      }
      await sleep(delay);
    }
  }

  async #attempt(
    operation: string,
    body: string,
    credentials: AwsCredentials,
    ambiguous: boolean,
  ): Promise<{ kind: "ok"; value: unknown } | { kind: "failed"; failure: Failure }> {
    const headers = await signRequest({
      method: "POST",
      url: this.endpoint,
      headers: { "content-type": CONTENT_TYPE, "x-amz-target": TARGET_PREFIX + operation },
      body,
      credentials,
      region: this.region,
      service: "dynamodb",
    });
    const init = { method: "POST", headers, body, signal: AbortSignal.timeout(this.#timeoutMs) };
    let response: { ok: boolean; status: number };
    let text: string;
    try {
      // The default never loads undici on Node (see lightFetch); a given `fetch` is used as is.
      const answer = await (this.#fetch === undefined
        ? lightFetch(this.endpoint, init)
        : this.#fetch(this.endpoint, init));
      response = answer;
      text = await answer.text();
    } catch (cause) {
      const reason = `network error: ${cause instanceof Error ? cause.message : String(cause)}`;
      return { kind: "failed", failure: { kind: "retry", reason, ambiguous: true, throttled: false, cause } };
    }
    if (response.ok) {
      try {
        return { kind: "ok", value: text === "" ? {} : JSON.parse(text) };
      } catch (cause) {
        // An acknowledged request with an unreadable answer: report it, never guess success.
        const error = new DynamoDbError("InvalidResponse", "answer is not JSON", response.status, ambiguous);
        return { kind: "failed", failure: { kind: "final", error: Object.assign(error, { cause }) } };
      }
    }
    return { kind: "failed", failure: classify(response.status, text, ambiguous) };
  }

  async #resolveCredentials(): Promise<AwsCredentials> {
    const source = this.#credentials;
    if (source === undefined) return credentialsFromEnv();
    return typeof source === "function" ? await source() : source;
  }
}

function classify(status: number, text: string, ambiguous: boolean): Failure {
  let type = `HTTP${status}`;
  let message = text.slice(0, 200);
  let item: Record<string, unknown> | undefined;
  try {
    const parsed = JSON.parse(text) as {
      __type?: unknown;
      message?: unknown;
      Message?: unknown;
      Item?: unknown;
    };
    if (typeof parsed.__type === "string") type = parsed.__type.slice(parsed.__type.lastIndexOf("#") + 1);
    const said = parsed.message ?? parsed.Message;
    if (typeof said === "string") message = said;
    // A failed condition's old item, when the request asked for it (ReturnValuesOnConditionCheckFailure).
    if (typeof parsed.Item === "object" && parsed.Item !== null && !Array.isArray(parsed.Item)) {
      item = parsed.Item as Record<string, unknown>;
    }
  } catch {
    // Not JSON (a proxy's error page): keep the status as the type.
  }
  if (isThrottling(type) || status === 429) {
    return { kind: "retry", reason: `${type}: ${message}`, ambiguous: false, throttled: true };
  }
  if (status >= 500) {
    return {
      kind: "retry",
      reason: `${type} (HTTP ${status}): ${message}`,
      ambiguous: true,
      throttled: false,
    };
  }
  return { kind: "final", error: new DynamoDbError(type, message, status, ambiguous, item) };
}

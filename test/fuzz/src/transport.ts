/**
 * What the fuzz driver needs from an adapter: send one request as bytes and headers, get the status,
 * the headers and the body as it arrives, and a way to leave early. Each adapter's test builds one
 * (`transports/`).
 */

/** A request as it goes on the wire: header values are byte strings (one char per byte). */
export interface RawRequest {
  method: string;
  /** Path and query, e.g. `/mcp`. */
  path: string;
  /** Lower-case names; a name may repeat. */
  headers: [string, string][];
  body: Uint8Array | null;
}

export interface Answer {
  status: number;
  headers: Headers;
  /** The body as it arrives (`null`: none). */
  body: AsyncIterable<Uint8Array> | null;
  /** The client leaves: stops reading and lets the host know. Idempotent. */
  cancel(): void;
  /**
   * Settles when the host is done with the request (a Lambda handler returned, a Vercel
   * `waitUntil` settled). Hosts that only answer (HTTP servers) leave it out.
   */
  settled?: Promise<unknown>;
}

export interface Transport {
  /** `http://127.0.0.1:<port>`: the origin requests are addressed to (and the default Host). */
  readonly origin: string;
  send(request: RawRequest): Promise<Answer>;
  /**
   * Whether a 5xx answer came from the platform itself, before the adapter saw the request (say,
   * workerd refusing an HTTP method it does not know). Such answers are not the adapter's; each
   * transport that has one documents it.
   */
  platformAnswer?(request: RawRequest, answer: Answer, body: string): boolean;
  /** True when the client frames requests itself (an HTTP client): no `FRAMING_HEADERS` from cases. */
  readonly ownsFraming?: boolean;
}

/** Header names the HTTP framing owns: an HTTP client sets them, the fuzzer does not. */
export const FRAMING_HEADERS = new Set([
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "expect",
  "upgrade",
  "te",
  "trailer",
  "proxy-connection",
]);

/** A Fetch `Request` for a raw request (in-process hosts). Bodies of GET/HEAD are dropped. */
export function toFetchRequest(origin: string, raw: RawRequest): Request {
  const headers = new Headers();
  for (const [name, value] of raw.headers) headers.append(name, value);
  const bodyless = raw.method.toUpperCase() === "GET" || raw.method.toUpperCase() === "HEAD";
  const init: RequestInit & { duplex?: "half" } = { method: raw.method, headers };
  if (!bodyless && raw.body !== null) init.body = raw.body as BodyInit;
  return new Request(new URL(raw.path, origin), init);
}

/** The body of a Fetch `Response` as an answer. */
export function fromFetchResponse(response: Response, settled?: Promise<unknown>): Answer {
  const body = response.body;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let cancelled = false;
  const answer: Answer = {
    status: response.status,
    headers: response.headers,
    body:
      body === null
        ? null
        : {
            async *[Symbol.asyncIterator]() {
              reader = body.getReader();
              try {
                for (;;) {
                  const { done, value } = await reader.read();
                  if (done) return;
                  yield value;
                }
              } finally {
                if (!cancelled) reader.releaseLock();
              }
            },
          },
    cancel() {
      if (cancelled) return;
      cancelled = true;
      const cancelling = reader === undefined ? body?.cancel() : reader.cancel();
      cancelling?.catch(() => {});
    },
  };
  if (settled !== undefined) answer.settled = settled;
  return answer;
}

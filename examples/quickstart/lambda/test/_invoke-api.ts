/**
 * A stand-in of Lambda's `Invoke` API (`POST /2015-03-31/functions/{name}/invocations`) in front of
 * a {@link LocalFunction}, for `invokeSelf()` (the functions reach it through
 * `AWS_ENDPOINT_URL_LAMBDA`). As Lambda does for an asynchronous invocation
 * (`X-Amz-Invocation-Type: Event`), it answers 202 at once and queues the event through the local
 * Runtime API, where the next free execution environment takes it; nobody waits for its answer.
 * A request for another function gets 404, one not signed for this function's credentials, region
 * and service 403, any other invocation type 400 (only asynchronous invocations are spoken here).
 * The signature itself is not recomputed: the adapter's tests check SigV4 against AWS's vectors.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import { toResponse } from "./_function-url.ts";
import type { InvokeOutcome } from "./_invoke-outcome.ts";
import type { LocalFunction } from "./_runtime-api.ts";
import { closeServer, listen } from "./_stand-ins.ts";

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/** One asynchronous invocation the stand-in accepted. */
export interface AcceptedInvocation {
  /** When the `Invoke` call was accepted (epoch ms): the event was queued then. */
  acceptedAt: number;
  event: unknown;
  /** The `Qualifier` query parameter, if any (a version or an alias). */
  qualifier: string | null;
  headers: IncomingHttpHeaders;
  /** Settles once the invocation has ended (a streamed answer read to its end). */
  ended: Promise<InvocationEnd>;
}

/** How an asynchronous invocation ended: what its handler answered (nobody reads it on Lambda). */
export interface InvocationEnd {
  kind: InvokeOutcome["kind"];
  /** The answer's status as a Function URL would send it (502 when the invocation failed). */
  status: number;
  body: string;
  /** When the answer had been read to its end (epoch ms). */
  endedAt: number;
}

export interface InvokeApi {
  url: string;
  /** Every accepted invocation, in order. */
  readonly accepted: AcceptedInvocation[];
  /** Settles once every accepted invocation has ended, those accepted while waiting included. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** Waits for an outcome to be over: a stream is read to its end, as the runtime needs. */
async function ended(outcome: InvokeOutcome): Promise<InvocationEnd> {
  const response = await toResponse(outcome);
  const body = await response.text();
  return { kind: outcome.kind, status: response.status, body, endedAt: Date.now() };
}

function refuse(res: ServerResponse, status: number, type: string, message: string): void {
  res
    .writeHead(status, { "content-type": "application/json", "x-amzn-errortype": type })
    .end(JSON.stringify({ Type: "User", message }));
}

export async function serveInvokeApi(
  fn: LocalFunction,
  credentials: { accessKeyId: string },
  region: string,
): Promise<InvokeApi> {
  const accepted: AcceptedInvocation[] = [];
  const scope = new RegExp(
    `^AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/\\d{8}/${region}/lambda/aws4_request, SignedHeaders=[^,]*\\bhost\\b[^,]*, Signature=[0-9a-f]{64}$`,
  );
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://lambda.local");
      const name = INVOKE_PATH.exec(url.pathname)?.[1];
      if (req.method !== "POST" || name === undefined) {
        return refuse(
          res,
          404,
          "UnknownOperationException",
          `No such operation: ${req.method} ${url.pathname}`,
        );
      }
      if (decodeURIComponent(name) !== fn.name) {
        return refuse(res, 404, "ResourceNotFoundException", `Function not found: ${name}`);
      }
      if (!scope.test(req.headers.authorization ?? "") || req.headers["x-amz-date"] === undefined) {
        return refuse(res, 403, "InvalidSignatureException", "Not signed for this function's credentials");
      }
      if (req.headers["x-amz-invocation-type"] !== "Event") {
        return refuse(res, 400, "InvalidParameterValueException", "Only asynchronous (Event) invocations");
      }
      let event: unknown;
      try {
        event = JSON.parse(body);
      } catch {
        return refuse(res, 400, "InvalidRequestContentException", "Could not parse request body into json");
      }
      // Queued before the 202, as Lambda's queue has the event once the call succeeds.
      accepted.push({
        acceptedAt: Date.now(),
        event,
        qualifier: url.searchParams.get("Qualifier"),
        headers: req.headers,
        ended: fn.invoke(event).then(ended),
      });
      res.writeHead(202, { "content-type": "application/json" }).end("");
    });
  });
  const url = await listen(server);
  return {
    url,
    accepted,
    async idle() {
      for (let seen = 0; seen < accepted.length; ) {
        const batch = accepted.slice(seen);
        seen = accepted.length;
        await Promise.all(batch.map((invocation) => invocation.ended));
      }
    },
    close: () => closeServer(server),
  };
}

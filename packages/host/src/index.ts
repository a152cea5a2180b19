export { bodyText } from "./body-text.ts";
export { readBoundedBytes, readBoundedText } from "./bounded-body.ts";
export type { BufferedRequestInit } from "./buffered-request.ts";
export {
  bufferedRequest,
  isBufferedRequest,
  REAL_REQUEST_GETTERS,
  readBufferedRequest,
  toRealRequest,
} from "./buffered-request.ts";
export type { BufferedResponse } from "./buffered-response.ts";
export { bufferedResponse, isResponse, readBufferedResponse, toRealResponse } from "./buffered-response.ts";
export type { BearerChallenge } from "./challenge.ts";
export { bearerChallenge, challengeResponse } from "./challenge.ts";
export type { HostErrorStatus } from "./errors.ts";
export { consoleErrorReporter, HOST_ERROR_HEADERS, hostErrorBody, hostErrorResponse } from "./errors.ts";
export type { RedirectRefusal } from "./fetch-within-origin.ts";
export { fetchWithinOrigin, isRedirectRefusal, MAX_REDIRECTS } from "./fetch-within-origin.ts";
export type { LightRequestInit, LightResponse } from "./light-fetch.ts";
export { LightFetchError, lightFetch } from "./light-fetch.ts";
export { LightHeaders } from "./light-headers.ts";
export { listenError, listenPort } from "./listen-error.ts";
export type { PromiseTracker } from "./promise-tracker.ts";
export { createTracker } from "./promise-tracker.ts";
export { fillRandom } from "./random.ts";
export { hmacSha256, sha256 } from "./sha256.ts";
export type { ShutdownReason } from "./shutdown.ts";
export { shutdownDeadline, shutdownReason } from "./shutdown.ts";
export type { AwsCredentials, SignInput as AwsSignInput } from "./sigv4.ts";
export { amzDate, signRequest as signAwsRequest } from "./sigv4.ts";
export { checkTimerMs, isTimerMs, MAX_TIMER_MS, timerDeadline, timerRange, timerUntil } from "./timer.ts";
export type { Authenticator, AuthInfo, ExecutionContextLike, FetchApp, FetchHandler } from "./types.ts";
export { guardedWaitUntil } from "./wait-until.ts";

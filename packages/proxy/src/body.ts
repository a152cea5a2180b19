/**
 * How much of the upstream's HTTP answers the proxy reads: one message (a JSON body, or one event
 * of an SSE stream) at most `maxMessageBytes` ({@link MAX_MESSAGE_BYTES} by default), so that an
 * upstream cannot fill the proxy's memory, on a call's answer (bounded in time only) nor on the
 * follow stream (not bounded at all).
 */
import { readBoundedText } from "@portico/host";
import { MAX_MESSAGE_BYTES, UpstreamTransportError } from "./errors.ts";

export function tooLarge(max: number): UpstreamTransportError {
  return new UpstreamTransportError("too_large", `a message larger than ${max} bytes`, { limit: max });
}

/**
 * The body as text; throws {@link tooLarge} (the rest of the body cancelled) past `max` bytes, and
 * the reason of `signal` when it aborts while a read is waiting (the body cancelled: a `fetch`
 * option whose body does not end on abort cannot hold the call past its timeout).
 */
export async function readText(
  response: Response,
  max = MAX_MESSAGE_BYTES,
  signal?: AbortSignal,
): Promise<string> {
  const text = await readBoundedText(response, max, signal);
  if (text === undefined) throw tooLarge(max);
  return text;
}

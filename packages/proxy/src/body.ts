/**
 * How much of the upstream's HTTP answers the proxy reads: one message (a JSON body, or one event
 * of an SSE stream) at most {@link MAX_MESSAGE_BYTES}, so that an upstream cannot fill the proxy's
 * memory, on a call's answer (bounded in time only) nor on the follow stream (not bounded at all).
 */
import { MAX_MESSAGE_BYTES, UpstreamTransportError } from "./errors.ts";

export function tooLarge(): UpstreamTransportError {
  return new UpstreamTransportError("too_large", `a message larger than ${MAX_MESSAGE_BYTES} bytes`);
}

/** The body as text; throws {@link tooLarge} (after cancelling it) past `max` bytes. */
export async function readText(response: Response, max = MAX_MESSAGE_BYTES): Promise<string> {
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return text + decoder.decode();
      total += value.byteLength;
      if (total > max) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
}

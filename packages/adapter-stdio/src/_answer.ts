/**
 * The handler's `Response`, read the way a Streamable HTTP client reads it: a JSON body (one
 * message or a batch), an SSE stream of messages, nothing (202), or something else (plain text, a
 * body that is not JSON). A buffered Portico response is read without touching a body stream.
 */
import { LightHeaders, readBufferedResponse } from "@portico/host";
import { readSse, type SseBlock } from "./_sse.ts";

export type Answer = {
  status: number;
  /** A response header (name in lower case), or `null`. */
  header(name: string): string | null;
} & (
  | { kind: "json"; body: unknown }
  | { kind: "stream"; blocks: AsyncGenerator<SseBlock>; body: ReadableStream<Uint8Array> }
  | { kind: "empty" }
  | { kind: "text"; text: string }
);

function mediaType(contentType: string | null): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

function fromText(status: number, header: Answer["header"], text: string | null): Answer {
  if (text === null || text === "") return { kind: "empty", status, header };
  if (mediaType(header("content-type")) === "application/json" || /^\s*[[{]/.test(text)) {
    try {
      return { kind: "json", status, header, body: JSON.parse(text) };
    } catch {
      // Not JSON after all: reported as text.
    }
  }
  return { kind: "text", status, header, text };
}

/**
 * Reads `response`; an SSE body is left to the caller to iterate, and is cancelled when `signal`
 * aborts.
 */
export async function openAnswer(response: Response, signal: AbortSignal): Promise<Answer> {
  const buffered = readBufferedResponse(response);
  if (buffered !== undefined) {
    const { headers } = buffered;
    const header =
      headers instanceof LightHeaders
        ? (name: string) => headers.get(name)
        : (name: string) => headers[name] ?? null;
    return fromText(buffered.status, header, buffered.body);
  }
  const header = (name: string) => response.headers.get(name);
  const status = response.status;
  if (mediaType(header("content-type")) === "text/event-stream" && response.body !== null) {
    const body = response.body;
    return { kind: "stream", status, header, body, blocks: readSse(body, signal) };
  }
  return fromText(status, header, response.body === null ? null : await response.text());
}

/** Releases an answer's body when the caller will not read it. */
export function discardAnswer(answer: Answer): void {
  if (answer.kind !== "stream") return;
  if (answer.body.locked) void answer.blocks.return(undefined).catch(() => {});
  else void answer.body.cancel().catch(() => {});
}

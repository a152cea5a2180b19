/**
 * Reading another server's answer without letting it fill memory: a `Response` body read up to a
 * number of bytes, and no further. What every package that calls out (OAuth discovery, OpenAPI
 * operations, config tools, a proxied MCP server) needs, in one place.
 */

/**
 * The body's bytes, or `undefined` when it is longer than `maxBytes`: a declared `Content-Length`
 * over the bound is refused before reading, and reading stops at the first chunk past it. Either
 * way the rest of the body is cancelled (its connection is not held open). With `signal`, a read
 * that is still waiting when it aborts rejects with its reason (for a `fetch` that does not end its
 * body on abort).
 */
export async function readBoundedBytes(
  response: Response,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const body = response.body;
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) {
    body?.cancel().catch(() => {});
    return undefined;
  }
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const aborted = signal === undefined ? undefined : rejection(signal);
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await (aborted === undefined
        ? reader.read()
        : Promise.race([reader.read(), aborted.promise]));
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) return undefined;
      chunks.push(value);
    }
  } finally {
    aborted?.release();
    // Read to the end: nothing left to cancel. Past the bound or aborted: stop the transfer.
    reader.cancel().catch(() => {});
  }
  if (chunks.length === 1) return (chunks[0] as Uint8Array).slice();
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * The body as UTF-8 text (invalid bytes become U+FFFD, as `response.text()` does), or `undefined`
 * when it is longer than `maxBytes` — see {@link readBoundedBytes}.
 */
export async function readBoundedText(
  response: Response,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const bytes = await readBoundedBytes(response, maxBytes, signal);
  return bytes === undefined ? undefined : new TextDecoder().decode(bytes);
}

/** A promise that rejects when `signal` aborts (never unhandled), and a way to stop listening. */
function rejection(signal: AbortSignal): { promise: Promise<never>; release(): void } {
  let release = (): void => {};
  const promise = new Promise<never>((_, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    release = () => signal.removeEventListener("abort", onAbort);
  });
  promise.catch(() => {});
  return { promise, release };
}

/**
 * `node --cpu-prof --conditions=@portico/source src/profile-core.ts <era> [n]`: the core alone, fed a
 * minimal request object (prebuilt headers, body bytes) and read back through the buffered-response
 * reader, so a profile shows only the core's own per-request work (not part of `pnpm bench`).
 */
import { readBufferedResponse } from "@portico/core";
import { prepareCall, verify } from "./requests.ts";
import { createTarget, type Era } from "./targets.ts";

const [era = "modern", count = "200000"] = process.argv.slice(2);
const handler = createTarget("portico");
const url = "http://127.0.0.1/mcp";
const send = (headers: Record<string, string>, body: string) =>
  handler.fetch(new Request(url, { method: "POST", headers, body }));
const call = await prepareCall(era as Era, send);
await verify(await send(call.headers, call.body), "profile");
const headers = new Headers({
  ...call.headers,
  host: "127.0.0.1",
  "content-length": String(Buffer.byteLength(call.body)),
});
const bytes = new TextEncoder().encode(call.body);
const ctx = { bufferedResponses: true };
function fake(): Request {
  return {
    method: "POST",
    url,
    headers,
    signal: new AbortController().signal,
    arrayBuffer: async () => bytes.buffer,
  } as unknown as Request;
}
const n = Number(count);
for (let i = 0; i < 20000; i++) readBufferedResponse(await handler.fetch(fake(), undefined, ctx));
const start = performance.now();
for (let i = 0; i < n; i++) {
  const b = readBufferedResponse(await handler.fetch(fake(), undefined, ctx));
  if (b === undefined || b.status !== 200) throw new Error("not a buffered 200");
}
const ms = performance.now() - start;
process.stdout.write(`core/${era}: ${n} requests, ${((ms * 1000) / n).toFixed(2)} µs each\n`);

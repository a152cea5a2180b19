/**
 * `node --cpu-prof --conditions=@portico/source src/profile.ts <target> <era> [n]`: a tight
 * in-process loop for a CPU profile of one target (not part of `pnpm bench`).
 */
import { prepareCall, verify } from "./requests.ts";
import { createTarget, type Era, type TargetName } from "./targets.ts";

const [target = "portico", era = "modern", count = "20000"] = process.argv.slice(2);
const handler = createTarget(target as TargetName);
const url = "http://127.0.0.1/mcp";
const send = (headers: Record<string, string>, body: string) =>
  handler.fetch(new Request(url, { method: "POST", headers, body }));
const call = await prepareCall(era as Era, send);
await verify(await send(call.headers, call.body), "profile");
const n = Number(count);
const start = performance.now();
for (let i = 0; i < n; i++) await (await send(call.headers, call.body)).arrayBuffer();
const ms = performance.now() - start;
process.stdout.write(
  `${target}/${era}: ${n} requests, ${Math.round((n * 1000) / ms)} req/s, ${((ms * 1000) / n).toFixed(1)} µs each\n`,
);

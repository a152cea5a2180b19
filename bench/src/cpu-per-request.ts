/**
 * `node --conditions=@portico/source src/cpu-per-request.ts [target] [rounds] [bridge] [eras]`: the server's CPU time
 * per request, next to raw node:http, over loopback (not part of `pnpm bench`).
 *
 * Throughput on a shared 2-core machine swings with whatever else runs; the CPU time the server
 * process spends per answered request (utime + stime from /proc, Linux only) swings far less, so this
 * is the tool for A/B-testing a change to the request path. The ratio raw/target of CPU per request
 * is what the throughput ratio would be on an otherwise idle core.
 */
import { readFileSync } from "node:fs";
import type { ChildProcess } from "node:child_process";
import { firstJsonLine, spawnPinned, stop } from "./_children.ts";
import type { LoadJob, LoadResult } from "./load.ts";
import { LOAD_CPU, SERVER_CPU } from "./loopback.ts";
import { prepareCall, verify } from "./requests.ts";
import type { Bridge } from "./server.ts";
import type { Era } from "./targets.ts";

const [target = "portico", roundsArg = "5", bridgeArg = "portico-node", erasArg = "legacy,modern"] =
  process.argv.slice(2);
const rounds = Number(roundsArg);
const bridge = bridgeArg as Bridge;
const TICK_MS = 10; // USER_HZ is 100 on Linux

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

async function start(name: string, how: Bridge): Promise<{ child: ChildProcess; url: string }> {
  const child = spawnPinned(SERVER_CPU, "./server.ts", [name, how]);
  const { url } = await firstJsonLine<{ url: string }>(child, 15_000, `server ${name}`);
  return { child, url };
}

async function measure(server: { child: ChildProcess; url: string }, era: Era): Promise<number> {
  const send = (headers: Record<string, string>, body: string) =>
    fetch(server.url, { method: "POST", headers, body });
  const call = await prepareCall(era, send);
  await verify(await send(call.headers, call.body), `${server.url} ${era}`);
  const job: LoadJob = { url: server.url, ...call, connections: 10, warmupSec: 1, durationSec: 4 };
  const pid = server.child.pid as number;
  const load = spawnPinned(LOAD_CPU, "./load.ts", [JSON.stringify(job)]);
  // The warm-up second is excluded: sample the counter once it is over.
  await new Promise((resolve) => setTimeout(resolve, 1200));
  const before = cpuTicks(pid);
  const result = await firstJsonLine<LoadResult>(load, 30_000, "load");
  const after = cpuTicks(pid);
  // The window sampled is ~0.2 s shorter than autocannon's; scale the request count to match.
  const requests = result.total * ((job.durationSec - 0.2) / job.durationSec);
  return (((after - before) * TICK_MS) / requests) * 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const raw = await start("raw", "raw");
const subject = await start(target, bridge);
try {
  for (const era of erasArg.split(",") as Era[]) {
    const rawUs: number[] = [];
    const subjectUs: number[] = [];
    for (let i = 0; i < rounds; i++) {
      rawUs.push(await measure(raw, era));
      subjectUs.push(await measure(subject, era));
    }
    const r = median(rawUs);
    const s = median(subjectUs);
    process.stdout.write(
      `${era}: raw ${r.toFixed(1)} µs/req, ${target} ${s.toFixed(1)} µs/req, ratio raw/${target} ${(r / s).toFixed(3)}\n`,
    );
  }
} finally {
  await stop(raw.child);
  await stop(subject.child);
}

/**
 * `node --conditions=@portico/source src/cpu-per-request.ts [target] [rounds] [bridge] [eras]`: the server's CPU time
 * per request, next to raw node:http, over loopback (not part of `pnpm bench`, which reports the same
 * figure for every case).
 *
 * The CPU time the server process spends per answered request (utime + stime from /proc, Linux
 * only) is the server's own cost, apart from the load generator's; the ratio raw/target is what the
 * throughput ratio would be if the server's core were the only limit. On a VM that does not account
 * steal time, host contention inflates it like wall time: interleave rounds and compare medians.
 */
import { stop } from "./_children.ts";
import { measureLoopback, prepareCase, startServer } from "./loopback.ts";
import { median } from "./report.ts";
import type { Bridge } from "./server.ts";
import type { Era, TargetName } from "./targets.ts";

const [target = "portico", roundsArg = "5", bridgeArg = "portico-node", erasArg = "legacy,modern"] =
  process.argv.slice(2);
const rounds = Number(roundsArg);
const load = { connections: 10, warmupSec: 1, durationSec: 4 };

const raw = await startServer("raw", "raw");
const subject = await startServer(target as TargetName, bridgeArg as Bridge);
try {
  for (const era of erasArg.split(",") as Era[]) {
    const rawCase = await prepareCase(raw, era);
    const subjectCase = await prepareCase(subject, era);
    const rawUs: number[] = [];
    const subjectUs: number[] = [];
    for (let i = 0; i < rounds; i++) {
      rawUs.push((await measureLoopback(rawCase, load)).cpuUsPerRequest);
      subjectUs.push((await measureLoopback(subjectCase, load)).cpuUsPerRequest);
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

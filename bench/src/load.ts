/**
 * The load generator child: `node load.ts '<json job>'`. Runs autocannon for a warm-up, then for
 * the measured window, and prints two JSON lines: `{"measuring":true}` as the measured window starts
 * (so the parent can sample the server's CPU time), then the measured figures.
 */
import autocannon from "autocannon";

export interface LoadJob {
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  warmupSec: number;
  durationSec: number;
}

export interface LoadResult {
  rps: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latencyP50: number;
  latencyP99: number;
}

function run(job: LoadJob, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: job.url,
    method: "POST",
    headers: job.headers,
    body: job.body,
    connections: job.connections,
    pipelining: 1,
    duration: seconds,
  });
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? "") as LoadJob;
  if (job.warmupSec > 0) await run(job, job.warmupSec);
  process.stdout.write(`${JSON.stringify({ measuring: true })}\n`);
  const r = await run(job, job.durationSec);
  const result: LoadResult = {
    rps: r.requests.total / (r.duration > 0 ? r.duration : job.durationSec),
    total: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    latencyP50: r.latency.p50,
    latencyP99: r.latency.p99,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

/**
 * The load generator child: `node load.ts '<json job>'`. Runs autocannon for a warm-up, then for
 * the measured window, and prints two JSON lines: `{"measuring":true}` as the measured window starts
 * (so the parent can sample the server's CPU time), then the measured figures.
 */
import { fileURLToPath } from "node:url";
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

/**
 * Runs the job: warm-up, `{"measuring":true}`, the measured window, then its figures as a JSON line.
 * With `verify`, every answer of the measured window is checked (failures count as `mismatches`).
 */
export async function measure(job: LoadJob, verify?: (body: string) => boolean): Promise<void> {
  const run = (seconds: number, check: boolean) =>
    autocannon({
      url: job.url,
      method: "POST",
      headers: job.headers,
      body: job.body,
      connections: job.connections,
      pipelining: 1,
      duration: seconds,
      ...(check && verify !== undefined ? { verifyBody: (body: unknown) => verify(String(body)) } : {}),
    });
  if (job.warmupSec > 0) await run(job.warmupSec, false);
  process.stdout.write(`${JSON.stringify({ measuring: true })}\n`);
  const r = await run(job.durationSec, true);
  const result: LoadResult & { mismatches?: number } = {
    rps: r.requests.total / (r.duration > 0 ? r.duration : job.durationSec),
    total: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    latencyP50: r.latency.p50,
    latencyP99: r.latency.p99,
    ...(verify === undefined ? {} : { mismatches: r.mismatches ?? 0 }),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  measure(JSON.parse(process.argv[2] ?? "") as LoadJob).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

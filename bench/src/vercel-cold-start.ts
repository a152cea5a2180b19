/**
 * Vercel function cold start under `vercel dev` (part (h) of `pnpm bench`, or alone, printing
 * without writing: `node --conditions=@portico/source src/vercel-cold-start.ts`). One `vercel dev
 * --local` (offline, 127.0.0.1, ports from the OS, its own process group; `startVercelDev` of
 * `@portico/adapter-vercel/dev`) serves a temp project with two Node.js functions (_vercel-project.ts):
 * `api/portico` and `api/bare`. vercel dev runs every invocation of a Node.js function in a fresh
 * process, so a request's latency — sending it to having the whole response — includes that
 * process's start, module load and first answer. Each answer must carry 5 and come from a process
 * no earlier request came from (`x-function-pid`). Settings: `VERCEL_RUNS` (default 11, 3 with
 * `BENCH_QUICK=1`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { startVercelDev, type VercelDev } from "../../packages/adapter-vercel/src/dev/index.ts";
import { distProblem } from "./_dist-check.ts";
import { FUNCTIONS, type FunctionName, PID_HEADER, writeVercelProject } from "./_vercel-project.ts";
import { machine, median } from "./report.ts";
import { prepareCall, verify } from "./requests.ts";

const RUNS = Number(process.env.VERCEL_RUNS ?? (process.env.BENCH_QUICK === "1" ? 3 : 11));
/** A request that takes longer fails the bench. */
const RUN_TIMEOUT_MS = 30_000;

export interface VercelColdCase {
  name: FunctionName;
  medianMs: number;
  minMs: number;
  /** Every measured run, in order. */
  runsMs: number[];
  /** The function process that answered each run. */
  pids: number[];
}

export interface VercelColdStartResult {
  markdown: string;
  json: {
    runs: number;
    vercel: string;
    loadAverage: { start: number[]; end: number[] };
    cases: VercelColdCase[];
    /** Ratio of medians. */
    porticoVsBare: number;
    /** Whether every request (warm-up included) was answered by a process of its own. */
    processPerRequest: boolean;
  };
}

interface Answer {
  ms: number;
  pid: number;
}

/** POSTs the modern `tools/call add {2, 3}` on a new connection; ms from sending to the whole response. */
async function call(dev: VercelDev, name: FunctionName): Promise<Answer> {
  const { headers, body } = await prepareCall("modern", () => Promise.reject(new Error("unused")));
  const { hostname, port } = new URL(dev.url);
  const payload = Buffer.from(body);
  const t0 = performance.now();
  const raw = await new Promise<{ status: number; headers: Headers; text: string }>((resolve, reject) => {
    const req = httpRequest(
      {
        host: hostname,
        port,
        method: "POST",
        path: `/api/${name}`,
        agent: false,
        headers: { ...headers, "content-length": String(payload.byteLength) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const out = new Headers();
          for (const [key, value] of Object.entries(res.headers)) {
            if (typeof value === "string") out.set(key, value);
          }
          resolve({ status: res.statusCode ?? 0, headers: out, text: Buffer.concat(chunks).toString() });
        });
      },
    );
    req.setTimeout(RUN_TIMEOUT_MS, () =>
      req.destroy(new Error(`${name}: no whole response within ${RUN_TIMEOUT_MS / 1000} s`)),
    );
    req.on("error", reject);
    req.end(payload);
  });
  const ms = performance.now() - t0;
  await verify(
    new Response(raw.text, { status: raw.status, headers: raw.headers }),
    `vercel dev /api/${name}`,
  );
  const pid = Number(raw.headers.get(PID_HEADER));
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`/api/${name}: no ${PID_HEADER} header`);
  return { ms, pid };
}

const fmt = (loads: number[]): string => loads.map((x) => x.toFixed(2)).join(" / ");

export async function vercelColdStartBench(
  log: (line: string) => void = () => {},
): Promise<VercelColdStartResult> {
  if (!Number.isInteger(RUNS) || RUNS < 1)
    throw new Error(`VERCEL_RUNS must be a positive integer, not ${RUNS}`);
  const project = writeVercelProject();
  const cache = mkdtempSync(join(tmpdir(), "portico-vercel-cold-cache-"));
  let output = "";
  let dev: VercelDev | undefined;
  try {
    dev = await startVercelDev({
      cwd: project.dir,
      cli: project.cli,
      // What a linked project's pulled variables give vercel dev (as the adapter's tests do).
      env: { VERCEL: "1", VERCEL_ENV: "development" },
      devStores: false,
      compileCache: cache,
      timeoutMs: RUN_TIMEOUT_MS,
      onOutput: (text) => {
        output = (output + text).slice(-8000);
      },
    });
    const seen = new Set<number>();
    let reused = 0;
    const note = (pid: number): boolean => {
      const fresh = !seen.has(pid);
      seen.add(pid);
      if (!fresh) reused += 1;
      return fresh;
    };
    // Unmeasured: vercel dev's own first build of each function, and the compile cache filled.
    for (const name of FUNCTIONS) note((await call(dev, name)).pid);
    log(`verified /api/portico and /api/bare answer add(2, 3) = 5 under vercel dev (${dev.url})`);
    const start = loadavg();
    const times = new Map<FunctionName, Answer[]>(FUNCTIONS.map((name) => [name, []]));
    for (let round = 0; round < RUNS; round++) {
      // Every other run in reverse, so neither function always goes first.
      for (const name of round % 2 === 0 ? FUNCTIONS : [...FUNCTIONS].reverse()) {
        // Only a request that started a process measures a cold start: one answered by a process
        // an earlier request came from is not counted, and the run is repeated (up to 3 times).
        for (let attempt = 1; ; attempt++) {
          const answer = await call(dev, name);
          const fresh = note(answer.pid);
          log(
            `  run ${round + 1} ${name}: ${answer.ms.toFixed(1)} ms (pid ${answer.pid}${fresh ? "" : ", reused"})`,
          );
          if (fresh) {
            times.get(name)?.push(answer);
            break;
          }
          if (attempt === 3)
            throw new Error(`vercel dev answered /api/${name} 3 times from reused processes`);
        }
      }
    }
    const end = loadavg();
    if (output.includes("no `secret` is configured")) {
      throw new Error(`the Portico function warned about a missing secret:\n${output}`);
    }
    const cases: VercelColdCase[] = FUNCTIONS.map((name) => {
      const answers = times.get(name) ?? [];
      const runsMs = answers.map((a) => a.ms);
      return {
        name,
        medianMs: median(runsMs),
        minMs: Math.min(...runsMs),
        runsMs,
        pids: answers.map((a) => a.pid),
      };
    });
    const [portico, bare] = cases as [VercelColdCase, VercelColdCase];
    const porticoVsBare = portico.medianMs / bare.medianMs;
    const vercel = /Vercel CLI (\S+)/.exec(output)?.[1] ?? "unknown";
    const markdown = [
      `## (h) Vercel function cold start under vercel dev (${RUNS} interleaved runs)`,
      "",
      `One \`vercel dev --local\` (Vercel CLI ${vercel}, offline, 127.0.0.1) serves a temp project with two Node.js`,
      "functions: `api/portico`, the `add` app through `@portico/adapter-vercel`'s `handle` as the default export",
      "(`PORTICO_SECRET` in the project's `.env`, so no warning), and `api/bare`, a hand-written Web handler answering",
      "the same sum as JSON-RPC without protocol checks, importing nothing; `api/portico` loads the packages' `dist`",
      "builds by name. vercel dev runs every Node.js invocation in a fresh process, so a run — from sending the",
      "modern `tools/call add {a: 2, b: 3}` on a new connection to having the whole response (verified to carry `5`) —",
      "includes that process's start, vercel dev's function runtime, module load and first answer, plus vercel dev's",
      `proxying. Each answer carries its \`process.pid\`: ${reused === 0 ? "every request (warm-up included) came from a process of its own" : `${reused} request(s) came from a reused process and were not counted`}.`,
      "Node's compile cache (`NODE_COMPILE_CACHE`, startVercelDev's default, a fresh folder) is on; one unmeasured",
      "request per function first (vercel dev's own first build, the cache filled); every other run in reverse order.",
      `Load average at start ${fmt(start)}, at end ${fmt(end)}.`,
      "",
      "| function | median | min | median vs bare |",
      "|---|---:|---:|---:|",
      ...cases.map(
        (c) =>
          `| ${c.name} | ${c.medianMs.toFixed(1)} ms | ${c.minMs.toFixed(1)} ms | ${(c.medianMs / bare.medianMs).toFixed(2)}× |`,
      ),
    ].join("\n");
    return {
      markdown,
      json: {
        runs: RUNS,
        vercel,
        loadAverage: { start, end },
        cases,
        porticoVsBare,
        processPerRequest: reused === 0,
      },
    };
  } catch (error) {
    if (output !== "") process.stderr.write(`vercel dev's output:\n${output}\n`);
    throw error;
  } finally {
    await dev?.stop();
    rmSync(project.dir, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problem = distProblem();
  if (problem !== undefined) throw new Error(problem);
  const host = machine();
  const result = await vercelColdStartBench((line) => process.stdout.write(`${line}\n`));
  process.stdout.write(
    `\n# Vercel function cold start under vercel dev, ${new Date().toISOString().slice(0, 10)}\n\n` +
      `Machine: ${host.os}, ${host.cpus}× ${host.cpuModel}, ${host.memoryGb} GB, Node ${host.node}; ` +
      `load average at start ${fmt(host.loadAverage)}.\n\n${result.markdown}\n`,
  );
}

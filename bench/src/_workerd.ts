/**
 * A bench Worker entry in workerd under `wrangler dev`, for workers-cpu.ts: started in a child
 * process of its own process group (`_workers-cpu-child.ts serve`, i.e. `devWorker`: offline,
 * 127.0.0.1, ports from the OS), with the workerd process that runs the Worker found under it
 * (Linux only: /proc). Every group still up when this process exits is killed.
 *
 * `wrangler dev` runs two workerd processes: a proxy on the printed URL's port, which forwards each
 * request, and the one that runs the Worker (miniflare's entry worker, then the Worker). Callers
 * load the latter on its own port, so the proxy's hop is neither paid nor counted.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { jsonLines } from "./_children.ts";

const CHILD = fileURLToPath(new URL("./_workers-cpu-child.ts", import.meta.url));

/**
 * wrangler 4's local-only extras, off: "local observability" tails every request into a SQLite trace
 * store inside the Worker's workerd (it more than doubled the bare Worker's CPU per request), and
 * the local explorer UI. A deployed Worker is billed for neither.
 */
const LEAN_DEV_ENV = { X_LOCAL_OBSERVABILITY: "false", X_LOCAL_EXPLORER: "false" };

export interface WorkerdServer {
  child: ChildProcess;
  /** The workerd that runs the Worker, and its own entry socket. */
  pid: number;
  url: string;
  /** wrangler's proxy workerd, which a load on `url` must not reach. */
  proxyPid: number;
  wrangler: string;
  workerd: string;
}

const groups = new Set<number>();
process.once("exit", () => {
  for (const pgid of groups) killGroup(pgid);
});

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    // already gone
  }
}

function statFields(pid: number): { comm: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = stat.lastIndexOf(")");
    return {
      comm: stat.slice(stat.indexOf("(") + 1, close),
      ppid: Number(stat.slice(close + 2).split(" ")[1]),
    };
  } catch {
    return undefined; // exited meanwhile
  }
}

/** The workerd processes whose parent is `parent`. */
function workerdChildren(parent: number): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      const stat = statFields(pid);
      return stat?.ppid === parent && stat.comm === "workerd";
    });
}

/** The TCP ports a process listens on: its socket inodes matched against /proc/<pid>/net/tcp{,6}. */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      if (inode !== undefined) inodes.add(inode);
    } catch {
      // closed meanwhile
    }
  }
  const ports = new Set<number>();
  for (const table of ["tcp", "tcp6"]) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === "0A" && inodes.has(f[9] ?? "")) ports.add(Number.parseInt(f[1]?.split(":")[1] ?? "", 16));
    }
  }
  return [...ports];
}

/**
 * Among the workerd children of the `wrangler dev` process: the proxy (listening on the printed
 * URL's port) and the Worker's, the other one, once it listens (it may come up after the proxy).
 */
async function findWorkerd(parent: number, proxyPort: number) {
  let seen: Array<{ pid: number; ports: number[] }> = [];
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    seen = workerdChildren(parent).map((pid) => ({ pid, ports: listeningPorts(pid) }));
    const proxy = seen.filter((w) => w.ports.includes(proxyPort));
    const others = seen.filter((w) => !w.ports.includes(proxyPort) && w.ports.length > 0);
    const [found] = others;
    if (proxy.length === 1 && others.length === 1 && found?.ports.length === 1) {
      return { pid: found.pid, port: found.ports[0] as number, proxy: proxy[0]?.pid as number };
    }
    if (proxy.length > 1 || others.length > 1 || (found?.ports.length ?? 0) > 1) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`cannot tell the Worker's workerd: ${JSON.stringify(seen)} (proxy port ${proxyPort})`);
}

/**
 * Starts the module worker `entry` under `wrangler dev` (config written to `dir`), finds its workerd
 * and pins all of that workerd's threads to `cpu`.
 */
export async function startWorkerd(
  name: string,
  entry: string,
  dir: string,
  cpu: number,
): Promise<WorkerdServer> {
  mkdirSync(dir, { recursive: true });
  const config = join(dir, "wrangler.jsonc");
  writeFileSync(config, JSON.stringify({ name, main: entry, compatibility_date: "2026-11-01" }));
  const child = spawn(process.execPath, ["--conditions=@portico/source", CHILD, "serve", config], {
    cwd: dir,
    detached: true,
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, ...LEAN_DEV_ENV },
  });
  groups.add(child.pid as number);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-4000);
  });
  try {
    const ready = await jsonLines(child, `wrangler dev ${name}`).next<{ url: string; wrangler: string }>(
      120_000,
    );
    const found = await findWorkerd(child.pid as number, Number(new URL(ready.url).port));
    const binary = readFileSync(`/proc/${found.pid}/cmdline`, "utf8").split("\0")[0] ?? "workerd";
    const version = spawnSync(binary, ["--version"], { encoding: "utf8" }).stdout?.trim();
    const pinned = spawnSync("taskset", ["-a", "-p", "-c", String(cpu), String(found.pid)]);
    if (pinned.status !== 0) throw new Error(`taskset on workerd ${found.pid}: ${String(pinned.stderr)}`);
    return {
      child,
      pid: found.pid,
      url: `http://127.0.0.1:${found.port}/mcp`,
      proxyPid: found.proxy,
      wrangler: ready.wrangler,
      workerd: version || "?",
    };
  } catch (error) {
    await stopWorkerd(child);
    throw new Error(`${name}: ${String(error)}\n${stderr}`);
  }
}

/** Closes the child's stdin (wrangler stops its workerds, removes their state), then SIGKILLs the group. */
export async function stopWorkerd(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.stdin?.end();
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000).unref())]);
  }
  killGroup(child.pid as number);
  groups.delete(child.pid as number);
}

/**
 * (b) Loopback HTTP throughput: one server child per target × bridge pinned to CPU 0, one autocannon
 * child per measurement pinned to CPU 1.
 */
import type { ChildProcess } from "node:child_process";
import { firstJsonLine, spawnPinned, stop } from "./_children.ts";
import type { LoadJob, LoadResult } from "./load.ts";
import { type CallSpec, prepareCall, verify } from "./requests.ts";
import type { Bridge } from "./server.ts";
import { type Era, RAW, SUPPORTED_ERAS, TARGETS, type TargetName } from "./targets.ts";

export const SERVER_CPU = 0;
export const LOAD_CPU = 1;

export type LoopbackTarget = TargetName | "raw";

export interface LoopbackCase {
  target: LoopbackTarget;
  bridge: Bridge;
  era: Era;
  url: string;
  call: CallSpec;
}

interface RunningServer {
  target: LoopbackTarget;
  bridge: Bridge;
  url: string;
  child: ChildProcess;
}

export interface LoopbackSetup {
  cases: LoopbackCase[];
  close(): Promise<void>;
}

async function startServer(target: LoopbackTarget, bridge: Bridge): Promise<RunningServer> {
  const child = spawnPinned(SERVER_CPU, "./server.ts", [target, bridge]);
  const { url } = await firstJsonLine<{ url: string }>(child, 15_000, `server ${target}/${bridge}`);
  return { target, bridge, url, child };
}

/** Starts every server, runs the handshakes and checks every case answers a correct sum. */
export async function prepareLoopback(): Promise<LoopbackSetup> {
  const servers: RunningServer[] = [];
  const close = async () => {
    await Promise.all(servers.map((s) => stop(s.child)));
  };
  try {
    const plan: Array<[LoopbackTarget, Bridge]> = RAW ? [["raw", "raw"]] : [];
    for (const target of TARGETS) plan.push([target, "portico-node"], [target, "hono-node"]);
    for (const [target, bridge] of plan) servers.push(await startServer(target, bridge));
    const cases: LoopbackCase[] = [];
    for (const server of servers) {
      const eras = server.target === "raw" ? (["legacy", "modern"] as const) : SUPPORTED_ERAS[server.target];
      for (const era of eras) {
        const send = (headers: Record<string, string>, body: string) =>
          fetch(server.url, { method: "POST", headers, body });
        const call = await prepareCall(era, send);
        const label = `loopback ${server.target}/${server.bridge}/${era}`;
        await verify(
          await fetch(server.url, { method: "POST", headers: call.headers, body: call.body }),
          label,
        );
        cases.push({ target: server.target, bridge: server.bridge, era, url: server.url, call });
      }
    }
    return { cases, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export interface LoadSettings {
  connections: number;
  warmupSec: number;
  durationSec: number;
}

/** One measured round against one case; throws if any response was not a 2xx. */
export async function measureLoopback(c: LoopbackCase, settings: LoadSettings): Promise<LoadResult> {
  const job: LoadJob = { url: c.url, headers: c.call.headers, body: c.call.body, ...settings };
  const child = spawnPinned(LOAD_CPU, "./load.ts", [JSON.stringify(job)]);
  const timeoutMs = (settings.warmupSec + settings.durationSec) * 1000 + 20_000;
  const result = await firstJsonLine<LoadResult>(child, timeoutMs, `load ${c.target}/${c.bridge}/${c.era}`);
  await stop(child);
  if (result.non2xx > 0 || result.errors > 0 || result.total === 0) {
    throw new Error(
      `load ${c.target}/${c.bridge}/${c.era}: ${result.non2xx} non-2xx, ${result.errors} errors of ${result.total}`,
    );
  }
  return result;
}

/**
 * What a cold start loads: runs a fixture script in a fresh Node process (with the packages'
 * TypeScript sources, `--conditions=@portico/source`) that prints one JSON line
 * `{ answers, loaded }` (among any others the app writes, such as log lines) — `loaded` being the internal modules Node loaded while it imported and
 * answered (`process.moduleLoadList`) — and tells which of them are undici, web streams or Node's
 * HTTP client/HTTP/2, which a buffered cold start must not load.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

/** Whether this Node runs TypeScript sources itself (type stripping: 22.18 and later). */
export const nodeStripsTypes = ((): boolean => {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  return major > 22 || (major === 22 && minor >= 18);
})();

/** Modules a buffered cold start must not load. */
const HEAVY = /undici|webstreams|\bhttp2\b/;

export interface ColdModules<A> {
  answers: A;
  /** Every internal module loaded while the fixture ran. */
  loaded: string[];
  /** Those of them that are undici, web streams or HTTP/2. */
  heavy: string[];
}

export async function coldModules<A>(fixture: string, env?: Record<string, string>): Promise<ColdModules<A>> {
  const { stdout } = await promisify(execFile)(process.execPath, ["--conditions=@portico/source", fixture], {
    timeout: 30_000,
    ...(env === undefined ? {} : { env: { ...process.env, ...env } }),
  });
  const report = stdout.split("\n").find((line) => line.startsWith('{"answers":'));
  if (report === undefined)
    throw new Error(`${fixture} printed no {"answers":…} line: ${stdout.slice(0, 500)}`);
  const { answers, loaded } = JSON.parse(report) as { answers: A; loaded: string[] };
  // The fixture really observes loads: importing TypeScript loaded Node's type stripper.
  if (!loaded.some((m) => m.includes("amaro"))) throw new Error(`${fixture} did not report its module loads`);
  return { answers, loaded, heavy: loaded.filter((m) => HEAVY.test(m)) };
}

/**
 * The dev daemon behind `vercelDevDefaults`: real processes, real files, real HTTP. Who starts
 * it (one process of many asking at once), who may use it (its token), and what stops it (its
 * file removed, its owner gone, idleness, a stale file replaced).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { daemonPaths, isAlive, readDaemonInfo } from "../src/dev/_daemon-file.ts";
import { ensureDevDaemon } from "../src/dev/_daemon-start.ts";
import { devStores, isVercelDev, stopVercelDevDaemon, vercelDevDefaults } from "../src/dev/index.ts";

const run = promisify(execFile);
const ask = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "daemon", "ask.ts");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const projects: string[] = [];
const children: ChildProcess[] = [];
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "portico-dev-daemon-"));
  projects.push(dir);
  return dir;
}

afterEach(async () => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  for (const dir of projects.splice(0)) {
    await stopVercelDevDaemon(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});

async function until(condition: () => boolean, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await sleep(50);
  }
}

const session = (id: string) => ({ kind: "session", session: id }) as const;

describe("isVercelDev", () => {
  it("is true only under vercel dev's marker, and never for a production or preview environment", () => {
    expect(isVercelDev({ __VERCEL_DEV_RUNNING: "1" })).toBe(true);
    expect(isVercelDev({ __VERCEL_DEV_RUNNING: "1", VERCEL_ENV: "development" })).toBe(true);
    expect(isVercelDev({ __VERCEL_DEV_RUNNING: "1", VERCEL_ENV: "production" })).toBe(false);
    expect(isVercelDev({ __VERCEL_DEV_RUNNING: "1", VERCEL_ENV: "preview" })).toBe(false);
    expect(isVercelDev({ VERCEL: "1", VERCEL_ENV: "production", VERCEL_REGION: "iad1" })).toBe(false);
    expect(isVercelDev({})).toBe(false);
  });

  it("vercelDevDefaults is undefined elsewhere and starts nothing", () => {
    const dir = project();
    expect(
      vercelDevDefaults({ env: { VERCEL: "1", VERCEL_ENV: "production" }, projectDir: dir }),
    ).toBeUndefined();
    expect(existsSync(join(dir, ".vercel"))).toBe(false);
  });
});

describe("the dev daemon", { timeout: 30_000 }, () => {
  it("is started once for processes that ask at the same moment, which all share it", async () => {
    const dir = project();
    const askers = ["a", "b", "c"].map((id) =>
      run(process.execPath, ["--conditions=@portico/source", ask, dir, id], { timeout: 20_000 }),
    );
    const answers = await Promise.all(askers);
    const info = readDaemonInfo(daemonPaths(dir).file);
    expect(info).toBeDefined();
    if (info === undefined) return;
    // One of them started it (and said so, once); all got its secret.
    expect(answers.filter(({ stderr }) => stderr.includes("NOTICE")).length).toBe(1);
    expect(answers.map(({ stdout }) => JSON.parse(stdout).secret)).toEqual([
      info.secret,
      info.secret,
      info.secret,
    ]);
    expect(info.secret).toMatch(/^[0-9a-f]{64}$/);
    // Each process's session is in the one daemon.
    const stores = devStores(info.url, { token: info.token });
    for (const id of ["a", "b", "c"]) expect(await stores.sessions.get(session(id))).toBeDefined();
    expect(statSync(daemonPaths(dir).file).mode & 0o777).toBe(0o600);
    expect(existsSync(daemonPaths(dir).lock)).toBe(false);

    expect(await stopVercelDevDaemon(dir)).toBe(true);
    expect(isAlive(info.pid)).toBe(false);
    expect(existsSync(daemonPaths(dir).file)).toBe(false);
  });

  it("answers only requests with its bearer token (401 otherwise)", async () => {
    const dir = project();
    const info = ensureDevDaemon({ projectDir: dir, ownerPid: 0, idleMs: 60_000 });
    const body = JSON.stringify({ store: "sessions", op: "get", args: [session("x")] });
    const post = (headers: Record<string, string>) =>
      fetch(`${info.url}/call`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
      });
    const anonymous = await post({});
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toBe("Bearer");
    expect((await post({ authorization: `Bearer ${"0".repeat(64)}` })).status).toBe(401);
    expect((await post({ authorization: `Bearer ${info.token}` })).status).toBe(200);
    await expect(
      devStores(info.url, { token: "wrong-token-0123456789" }).sessions.get(session("x")),
    ).rejects.toThrow(/bearer token/);
  });

  it("exits when its file is removed", async () => {
    const dir = project();
    const info = ensureDevDaemon({ projectDir: dir, ownerPid: 0, idleMs: 60_000 });
    rmSync(daemonPaths(dir).file);
    await until(() => !isAlive(info.pid), 5_000);
  });

  it("exits, removing its file, when its owner (the vercel dev CLI) ends", async () => {
    const dir = project();
    const owner = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60_000)"], { stdio: "ignore" });
    children.push(owner);
    const info = ensureDevDaemon({ projectDir: dir, ownerPid: owner.pid as number, idleMs: 60_000 });
    expect(isAlive(info.pid)).toBe(true);
    owner.kill("SIGKILL");
    await until(() => !isAlive(info.pid), 5_000);
    expect(existsSync(daemonPaths(dir).file)).toBe(false);
  });

  it("exits, removing its file, after its idle time", async () => {
    const dir = project();
    const info = ensureDevDaemon({ projectDir: dir, ownerPid: 0, idleMs: 500 });
    await until(() => !isAlive(info.pid), 5_000);
    expect(existsSync(daemonPaths(dir).file)).toBe(false);
  });

  it("replaces a stale file (its process gone, or another version's) with a new daemon", async () => {
    const dir = project();
    const { file } = daemonPaths(dir);
    mkdirSync(dirname(file), { recursive: true });
    const gone = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    await new Promise((resolve) => gone.once("exit", resolve));
    const stale = {
      version: 1,
      pid: gone.pid,
      url: "http://127.0.0.1:9",
      token: "t",
      secret: "s",
      ownerPid: 0,
      startedAt: 0,
    };
    writeFileSync(file, JSON.stringify(stale));
    const info = ensureDevDaemon({ projectDir: dir, ownerPid: 0, idleMs: 60_000 });
    expect(info.pid).not.toBe(gone.pid);
    expect(isAlive(info.pid)).toBe(true);

    writeFileSync(file, JSON.stringify({ ...info, version: 0 })); // an older Portico's file
    await until(() => !isAlive(info.pid), 5_000); // that daemon sees its file replaced
    const next = ensureDevDaemon({ projectDir: dir, ownerPid: 0, idleMs: 60_000 });
    expect(next.pid).not.toBe(info.pid);
  });

  it("vercelDevDefaults' stores start a new daemon when theirs is gone", async () => {
    const dir = project();
    const defaults = vercelDevDefaults({
      env: { __VERCEL_DEV_RUNNING: "1" },
      projectDir: dir,
      onNotice: () => {},
    });
    if (defaults === undefined) throw new Error("expected defaults");
    expect(await defaults.stores.sessions.create(session("s"), { n: 1 }, 60_000)).toBe(true);
    const first = readDaemonInfo(daemonPaths(dir).file);
    await stopVercelDevDaemon(dir);
    // The session went with the daemon; the call reaches a new one instead of failing.
    expect(await defaults.stores.sessions.get(session("s"))).toBeUndefined();
    const second = readDaemonInfo(daemonPaths(dir).file);
    expect(second?.pid).toBeDefined();
    expect(second?.pid).not.toBe(first?.pid);
  });
});

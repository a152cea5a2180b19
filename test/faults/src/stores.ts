/**
 * Store controllers: a real `redis-server` and a `dynalite` (DynamoDB Local stand-in), each a child
 * process on a free loopback port with a fresh data directory, that the fault scenarios can
 * freeze (SIGSTOP), thaw (SIGCONT) and restart (SIGKILL, then a new process on the same port over
 * the same data).
 *
 * Both keep their data on disk so that a restart is a restart, not a wipe:
 * - redis-server with an append-only file and `appendfsync always` (every acknowledged write is
 *   on disk before Redis answers it), in a fresh `--dir`;
 * - dynalite with `--path` (LevelDB; every write reaches LevelDB's log with a write(2) before the
 *   answer, which survives the process being killed).
 * A store without persistence (Redis with `--save '' --appendonly no`, dynalite in memory) loses
 * everything on a restart; that is a deployment choice, not what these scenarios test.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTable, DynamoDbClient } from "@portico/store-dynamodb";
import { exited, freePort, killHard, tailOf, track } from "./util.ts";

export type StoreKind = "redis" | "dynamodb";

export interface StoreController {
  readonly kind: StoreKind;
  /** What an instance needs to reach the store (see `instance.ts`). */
  readonly env: Record<string, string>;
  /** Process id of the running store (for the report). */
  readonly pid: number | undefined;
  /** SIGSTOP: the process keeps its sockets open but answers nothing (a hung store). */
  freeze(): void;
  /** SIGCONT. */
  thaw(): void;
  /** SIGKILL and wait for the exit: the store is down (connections refused). */
  kill(): Promise<void>;
  /** Starts the store again on the same port over the same data; resolves once it serves. */
  start(): Promise<void>;
  /** Stops the store for good and removes its data directory. Safe to call twice. */
  stop(): Promise<void>;
}

const ENSURE_REDIS = fileURLToPath(new URL("../../../scripts/ensure-redis.sh", import.meta.url));

/** Runs `scripts/ensure-redis.sh` unless `redis-server` is already on PATH. */
export function ensureRedisServer(): void {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
  } catch {
    execFileSync("sh", [ENSURE_REDIS], { stdio: ["ignore", "inherit", "inherit"] });
  }
}

/** Spawns `command` and resolves once a line of its output contains `ready`. */
function launch(
  command: string,
  args: string[],
  ready: string,
  what: string,
  timeoutMs = 15_000,
): Promise<ChildProcess> {
  const child = track(spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] }));
  const tail = tailOf(40);
  return new Promise((resolve, reject) => {
    let seen = "";
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error(`${what} did not start:\n${tail.text()}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      tail.push(chunk);
      seen += chunk.toString();
      if (seen.includes(ready)) {
        clearTimeout(timer);
        child.off("exit", onExit);
        child.stdout?.off("data", onData);
        child.stderr?.off("data", onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(child);
      }
    };
    const onExit = (code: number | null) => fail(new Error(`${what} exited (${code}):\n${tail.text()}`));
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("error", fail);
    child.once("exit", onExit);
  });
}

/** Base of both controllers: one child process at a time, on a fixed port, over one directory. */
abstract class ProcessStore implements StoreController {
  abstract readonly kind: StoreKind;
  abstract readonly env: Record<string, string>;
  protected child: ChildProcess | undefined;
  protected readonly dir: string;
  protected readonly port: number;
  #stopped = false;

  constructor(port: number, dir: string) {
    this.port = port;
    this.dir = dir;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  protected abstract spawnOnce(): Promise<ChildProcess>;

  freeze(): void {
    this.child?.kill("SIGSTOP");
  }

  thaw(): void {
    this.child?.kill("SIGCONT");
  }

  async kill(): Promise<void> {
    if (this.child !== undefined) await killHard(this.child);
  }

  async start(): Promise<void> {
    if (this.child !== undefined && !exited(this.child)) throw new Error(`${this.kind} is already running`);
    // The port was just released by the killed process; retry briefly if the kernel still holds it.
    for (let attempt = 1; ; attempt++) {
      try {
        this.child = await this.spawnOnce();
        return;
      } catch (error) {
        if (attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.child !== undefined) {
      this.child.kill("SIGCONT");
      await killHard(this.child);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

class RedisStore extends ProcessStore {
  readonly kind = "redis" as const;
  readonly env: Record<string, string>;
  readonly #persistent: boolean;

  constructor(port: number, dir: string, persistent: boolean) {
    super(port, dir);
    this.#persistent = persistent;
    this.env = { FAULTS_STORE: "redis", FAULTS_REDIS_URL: `redis://127.0.0.1:${port}` };
  }

  protected spawnOnce(): Promise<ChildProcess> {
    const persistence = this.#persistent
      ? ["--appendonly", "yes", "--appendfsync", "always", "--save", ""]
      : ["--appendonly", "no", "--save", ""];
    return launch(
      "redis-server",
      [
        "--bind",
        "127.0.0.1",
        "--port",
        String(this.port),
        "--dir",
        this.dir,
        ...persistence,
        "--daemonize",
        "no",
        "--loglevel",
        "notice",
      ],
      "Ready to accept connections",
      "redis-server",
    );
  }
}

const DYNALITE_CLI = createRequire(import.meta.url).resolve("dynalite/cli.js");
/** Dummy credentials: dynalite checks that a request is signed, not the signature. */
export const DYNAMO_CREDENTIALS = { accessKeyId: "AKIDFAULTS", secretAccessKey: "faults-secret" };

class DynaliteStore extends ProcessStore {
  readonly kind = "dynamodb" as const;
  readonly env: Record<string, string>;
  readonly endpoint: string;
  readonly tableName: string;

  constructor(port: number, dir: string, tableName: string) {
    super(port, dir);
    this.endpoint = `http://127.0.0.1:${port}`;
    this.tableName = tableName;
    this.env = { FAULTS_STORE: "dynamodb", FAULTS_DYNAMO_ENDPOINT: this.endpoint, FAULTS_TABLE: tableName };
  }

  protected spawnOnce(): Promise<ChildProcess> {
    return launch(
      process.execPath,
      [
        DYNALITE_CLI,
        "--host",
        "127.0.0.1",
        "--port",
        String(this.port),
        "--path",
        join(this.dir, "leveldb"),
        "--createTableMs",
        "0",
        "--deleteTableMs",
        "0",
        "--updateTableMs",
        "0",
      ],
      "Dynalite listening",
      "dynalite",
    );
  }
}

export interface StartStoreOptions {
  /** Redis only: keep data on disk (AOF, fsync always). Default true; the soak turns it off. */
  persistent?: boolean;
}

/** Starts a store of `kind` on a free loopback port with a fresh data directory. */
export async function startStore(kind: StoreKind, options: StartStoreOptions = {}): Promise<StoreController> {
  const dir = mkdtempSync(join(tmpdir(), `portico-faults-${kind}-`));
  const port = await freePort();
  if (kind === "redis") {
    ensureRedisServer();
    const store = new RedisStore(port, dir, options.persistent ?? true);
    await store.start().catch(async (error) => {
      await store.stop();
      throw error;
    });
    return store;
  }
  const store = new DynaliteStore(port, dir, "portico-faults");
  try {
    await store.start();
    const client = new DynamoDbClient({
      endpoint: store.endpoint,
      region: "us-east-1",
      credentials: DYNAMO_CREDENTIALS,
    });
    // dynalite implements no TTL API; Portico's reads never rely on TTL deletion.
    await createTable(client, { tableName: store.tableName, timeToLive: false });
  } catch (error) {
    await store.stop();
    throw error;
  }
  return store;
}

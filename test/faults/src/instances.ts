/**
 * The instance launcher: each instance is a child process running `instance.ts` with
 * `node --conditions=@portico/source` (the workspace packages from source, Node's type stripping).
 * An instance can be killed with any signal and started again on the same port, so the proxy in
 * front of it needs no reconfiguration.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { exited, killHard, tailOf, track, waitExit } from "./util.ts";

const SCRIPT = fileURLToPath(new URL("./instance.ts", import.meta.url));

/** What `GET /__faults/stats` of an instance answers. */
export interface InstanceStats {
  name: string;
  pid: number;
  store: string;
  uptimeMs: number;
  memory: { rss: number; heapUsed: number; heapTotal: number; external: number };
  requests: number;
  active: number;
  errors: Record<string, number>;
  lastErrors: string[];
}

/** A line the instance printed after its address (shutdown steps). */
export interface InstanceEvent {
  event: string;
  at: number;
  ms?: number;
}

export class Instance {
  readonly name: string;
  readonly #env: Record<string, string>;
  #child: ChildProcess | undefined;
  #port = 0;
  /** Shutdown steps printed by the current process. */
  events: InstanceEvent[] = [];
  /** The last lines of its stderr, for failure messages. */
  readonly stderr = tailOf(60);

  private constructor(name: string, env: Record<string, string>) {
    this.name = name;
    this.#env = env;
  }

  /** Starts a new instance process; resolves once it listens. */
  static async start(name: string, env: Record<string, string>): Promise<Instance> {
    const instance = new Instance(name, env);
    await instance.#spawn();
    return instance;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}/mcp`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get alive(): boolean {
    return this.#child !== undefined && !exited(this.#child);
  }

  /** The process, for waiting on its exit. */
  get child(): ChildProcess | undefined {
    return this.#child;
  }

  /** Sends `signal` to the process. */
  signal(signal: NodeJS.Signals): void {
    this.#child?.kill(signal);
  }

  /** Resolves `true` once the process exited, `false` after `timeoutMs`. */
  waitExit(timeoutMs: number): Promise<boolean> {
    return this.#child === undefined ? Promise.resolve(true) : waitExit(this.#child, timeoutMs);
  }

  /** Starts the instance again on its port (after it was killed or stopped). */
  async restart(): Promise<void> {
    if (this.alive) throw new Error(`${this.name} is still running`);
    this.events = [];
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#spawn();
        return;
      } catch (error) {
        if (attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  /** Its `/__faults/stats`, or `undefined` when it does not answer within 2 s. */
  async stats(): Promise<InstanceStats | undefined> {
    if (!this.alive) return undefined;
    try {
      const response = await fetch(`http://127.0.0.1:${this.#port}/__faults/stats`, {
        signal: AbortSignal.timeout(2_000),
      });
      return (await response.json()) as InstanceStats;
    } catch {
      return undefined;
    }
  }

  /** SIGKILL (cleanup). */
  async stop(): Promise<void> {
    if (this.#child !== undefined) await killHard(this.#child);
  }

  #spawn(): Promise<void> {
    const child = track(
      spawn(process.execPath, ["--conditions=@portico/source", "--no-warnings", SCRIPT], {
        env: {
          ...process.env,
          ...this.#env,
          FAULTS_NAME: this.name,
          FAULTS_PORT: String(this.#port),
        },
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
    this.#child = child;
    child.stderr?.on("data", (chunk: Buffer) => this.stderr.push(chunk));
    return new Promise((resolve, reject) => {
      let buffered = "";
      let listening = false;
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`${this.name} did not start within 30 s:\n${this.stderr.text()}`));
      }, 30_000);
      child.once("exit", (code, signal) => {
        if (listening) return;
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (${code ?? signal}) before listening:\n${this.stderr.text()}`));
      });
      child.stdout?.on("data", (chunk: Buffer) => {
        buffered += chunk.toString();
        for (let newline = buffered.indexOf("\n"); newline >= 0; newline = buffered.indexOf("\n")) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          let parsed: Record<string, unknown>;
          try {
            parsed = JSON.parse(line) as Record<string, unknown>;
          } catch {
            continue;
          }
          if (!listening && typeof parsed.port === "number") {
            listening = true;
            this.#port = parsed.port;
            clearTimeout(timer);
            resolve();
          } else if (typeof parsed.event === "string") {
            this.events.push(parsed as unknown as InstanceEvent);
          }
        }
      });
    });
  }
}

/** Starts `count` instances named `<prefix>-1`… in parallel. */
export async function startInstances(
  count: number,
  env: Record<string, string>,
  prefix = "i",
): Promise<Instance[]> {
  const started = await Promise.allSettled(
    Array.from({ length: count }, (_, i) => Instance.start(`${prefix}-${i + 1}`, env)),
  );
  const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed !== undefined) {
    await Promise.all(started.map((s) => (s.status === "fulfilled" ? s.value.stop() : Promise.resolve())));
    throw failed.reason;
  }
  return started.map((s) => (s as PromiseFulfilledResult<Instance>).value);
}

/**
 * The README's Worker under real `wrangler dev` (workerd): `export default handle(createHandler(
 * server))`, the handler built at module scope with no configuration, where Workers forbid random
 * values and I/O. It must load (no "Disallowed operation"), serve, refuse a DNS-rebinding request
 * (wrangler dev passes the client's Host through) and accept a `*.workers.dev` host. A control
 * Worker that does draw a random value at module scope shows that such a failure would be seen.
 * Each Worker runs in a child process (`test/_wrangler-dev-child.ts`), stopped after its tests.
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { modernPost } from "@portico/test-kit";
import { sendAs } from "@portico/test-kit/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeEmptyBuildDirectory } from "../src/dev/_wrangler.ts";

const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = join(here, "..");
const fixtures = join(here, "wrangler-dev");
const DISALLOWED = "Disallowed operation called within global scope";

// A child whose Worker failed to load may exit before devWorker's cleanup: remove what is left empty.
afterAll(() => removeEmptyBuildDirectory(join(fixtures, "wrangler.jsonc")));

interface Child {
  url: URL;
  /** Everything the child (wrangler, workerd) wrote so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `wrangler dev` for `config` in a child process; resolves once it listens. */
function startWorker(config: string): Promise<Child> {
  const child = spawn(process.execPath, [join(here, "_wrangler-dev-child.ts"), config], {
    cwd: packageRoot,
    env: { ...process.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(killer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop().then(() => reject(new Error(`wrangler dev did not start in 60 s:\n${output}`)));
    }, 60_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString("utf8");
      const line = output.split("\n").find((l) => l.startsWith('{"url":'));
      if (line === undefined) return;
      clearTimeout(timer);
      child.stdout.off("data", onData);
      child.stdout.on("data", (more: Buffer) => {
        output += more.toString("utf8");
      });
      resolve({ url: new URL((JSON.parse(line) as { url: string }).url), output: () => output, stop });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`wrangler dev exited before it listened:\n${output}`));
    });
  });
}

const addCall = (url: URL | string) =>
  modernPost(new URL("/mcp", url), "tools/call", { name: "add", arguments: { a: 2, b: 3 } });

describe("wrangler dev: the README's module-scope Worker", { timeout: 60_000 }, () => {
  let worker: Child;
  let port: number;

  beforeAll(async () => {
    worker = await startWorker(join(fixtures, "wrangler.jsonc"));
    port = Number(worker.url.port);
  }, 90_000);

  afterAll(async () => {
    await worker?.stop();
  });

  it("loads and serves: no Disallowed operation", async () => {
    expect(worker.url.hostname).toBe("127.0.0.1");
    const response = await fetch(addCall(worker.url));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ result: { content: [{ text: "5" }] } });
    expect(worker.output()).not.toContain(DISALLOWED);
  });

  it("refuses a DNS-rebinding request with 403 naming the Host, with and without its Origin", async () => {
    const evil = `evil.example.com:${port}`;
    for (const origin of [undefined, `http://${evil}`]) {
      const refused = await sendAs(port, addCall(worker.url), evil, origin);
      expect(refused.status, `Origin ${origin}`).toBe(403);
      expect(refused.body).toContain(evil);
      expect(refused.body).toContain("allowedHosts");
    }
  });

  it("answers every body over the 4 MB limit with 413, never a connection reset", async () => {
    const big = new Uint8Array(5 * 1024 * 1024).fill(0x20);
    const outcomes: (number | string)[] = [];
    for (let i = 0; i < 20; i++) {
      const request = new Request(new URL("/mcp", worker.url), {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: big,
      });
      outcomes.push(
        await sendAs(port, request, `127.0.0.1:${port}`).then(
          (r) => r.status,
          (e: unknown) => String(e),
        ),
      );
    }
    expect(outcomes).toEqual(Array(20).fill(413));
  });

  it("answers a *.workers.dev host with no configuration, and the local names", async () => {
    const routed = await sendAs(port, addCall(worker.url), "my-worker.acct.workers.dev");
    expect(routed.status).toBe(200);
    expect(routed.body).toContain('"text":"5"');
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      expect((await sendAs(port, addCall(worker.url), host, `http://${host}`)).status, host).toBe(200);
    }
    expect(worker.output()).not.toContain(DISALLOWED);
  });
});

describe("wrangler dev: control, a Worker that draws a random value at module scope", {
  timeout: 90_000,
}, () => {
  it("fails to load with the Disallowed operation error, which the test above would see", async () => {
    let outcome: { status: number | string; output: string };
    try {
      const worker = await startWorker(join(fixtures, "wrangler.random.jsonc"));
      try {
        const status = await fetch(addCall(worker.url), { signal: AbortSignal.timeout(5_000) }).then(
          (r) => r.status,
          (error: unknown) => String(error),
        );
        const until = Date.now() + 15_000;
        while (!worker.output().includes(DISALLOWED) && Date.now() < until) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        outcome = { status, output: worker.output() };
      } finally {
        await worker.stop();
      }
    } catch (error) {
      outcome = { status: "did not start", output: String(error) };
    }
    expect(outcome.status).not.toBe(200);
    expect(outcome.output).toContain(DISALLOWED);
  });
});

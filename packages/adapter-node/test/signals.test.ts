/**
 * `serve({ handleSignals: true })` in its own process: the copy of Ctrl-C that `node --watch`
 * passes on at once is not a second signal (open streams still end with their last event, and
 * `onClose` runs); a signal more than REPEATED_SIGNAL_MS later terminates at once.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { get } from "node:http";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { REPEATED_SIGNAL_MS } from "../src/serve.ts";

const FIXTURE = fileURLToPath(new URL("./fixtures/signals-server.mjs", import.meta.url));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

interface Started {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startChild(): Promise<Started> {
  const child = spawn(process.execPath, ["--conditions=@portico/source", FIXTURE], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  let out = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk;
      const match = /listening (\S+)/.exec(out);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once("exit", () => reject(new Error(`the server exited before listening: ${out}`)));
  });
  return { child, url, stdout: () => out, exited };
}

/** Opens a streamed GET; resolves once its first line came, with the promise of its whole body. */
function openStream(url: string): Promise<{ body: Promise<string> }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let text = "";
      const body = new Promise<string>((done) => {
        res.on("data", (chunk: Buffer) => {
          text += chunk;
        });
        res.on("end", () => done(text));
        res.on("error", () => done(`${text}<cut>`));
        res.on("aborted", () => done(`${text}<cut>`));
      });
      res.once("data", () => resolve({ body }));
    }).on("error", reject);
  });
}

describe("serve with handleSignals, in a real process", () => {
  it("takes two SIGINTs at once (node --watch and the terminal) as one: streams end, onClose runs, exit 0", async () => {
    const { child, url, stdout, exited } = await startChild();
    const stream = await openStream(`${url}/stream`);
    child.kill("SIGINT");
    // node --watch's copy comes a moment after the terminal's (not coalesced with it).
    await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill("SIGINT");
    expect(await stream.body).toBe("open\nbye\n");
    expect(await exited).toStrictEqual({ code: 0, signal: null });
    expect(stdout()).toContain("onClose ran\n");
  });

  it("terminates on a second signal that comes later, while a response holds the close", async () => {
    const { child, url, stdout, exited } = await startChild();
    const stream = await openStream(`${url}/stuck`);
    child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, REPEATED_SIGNAL_MS + 300));
    expect(child.exitCode).toBe(null); // still waiting for /stuck (gracefulTimeoutMs 20 s)
    child.kill("SIGTERM");
    expect(await exited).toStrictEqual({ code: null, signal: "SIGTERM" });
    expect(await stream.body).toBe("open\n<cut>");
    expect(stdout()).not.toContain("onClose ran");
  });
});

/// <reference types="node" />
/**
 * The many-instances scenario every durable store runs, independent of the store: handler processes
 * started from a script (each prints {"url"} on its first line), and one legacy session driven across
 * them. The processes serve the quickstart tools (`greet` elicits, `countdown` streams progress).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { expect } from "vitest";
import { initializeBody, legacyDelete, legacyGet, legacyPost, readSse, type SseEvent } from "../index.ts";

/** Handler processes started by {@link startInstances}. */
export interface Instances {
  urls: string[];
  stop(): Promise<void>;
}

/** Starts one process per `envs` entry running `script` with `node --conditions=@portico/source`. */
export async function startInstances(script: string, envs: Record<string, string>[]): Promise<Instances> {
  const children: ChildProcess[] = [];
  const stop = () =>
    Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
            setTimeout(() => child.kill("SIGKILL"), 3_000).unref();
          }),
      ),
    ).then(() => {});
  const start = (env: Record<string, string>) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ["--conditions=@portico/source", script], {
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "inherit"],
      });
      children.push(child);
      const timer = setTimeout(() => reject(new Error("instance did not start")), 30_000);
      child.once("exit", (code) => reject(new Error(`instance exited (${code})`)));
      let buffered = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        buffered += chunk.toString("utf8");
        const newline = buffered.indexOf("\n");
        if (newline < 0) return;
        clearTimeout(timer);
        resolve((JSON.parse(buffered.slice(0, newline)) as { url: string }).url);
      });
    });
  try {
    return { urls: await Promise.all(envs.map(start)), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

const messagesOf = (events: SseEvent[]) =>
  events.filter((e) => e.data !== "").map((e) => JSON.parse(e.data) as Record<string, any>);

/**
 * One legacy session on three instances of the quickstart server: initialize on A; a tool on B
 * elicits, the client's reply lands on C; a countdown streamed by C is dropped after its first
 * progress and resumed on A with Last-Event-ID (nothing lost, nothing twice); DELETE on B ends the
 * session on every instance (404).
 */
export async function oneSessionAcrossInstances(urls: string[]): Promise<void> {
  const [a, b, c] = urls as [string, string, string];
  const init = await fetch(legacyPost(a, initializeBody(1, { capabilities: { elicitation: {} } })));
  expect(init.status).toBe(200);
  const sessionId = init.headers.get("mcp-session-id") as string;
  await init.arrayBuffer();
  const initialized = await fetch(
    legacyPost(b, { jsonrpc: "2.0", method: "notifications/initialized" }, { sessionId }),
  );
  expect(initialized.status).toBe(202);

  // B runs the tool; its elicitation reaches the client on B's stream; the reply POST lands on C.
  const call = await fetch(
    legacyPost(b, { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "greet" } }, { sessionId }),
  );
  const seen: Record<string, any>[] = [];
  for await (const event of readSse(call)) {
    if (event.data === "") continue;
    const message = JSON.parse(event.data) as Record<string, any>;
    seen.push(message);
    if (message.method === "elicitation/create") {
      const reply = await fetch(
        legacyPost(
          c,
          { jsonrpc: "2.0", id: message.id, result: { action: "accept", content: { name: "Ada" } } },
          { sessionId },
        ),
      );
      expect(reply.status).toBe(202);
    }
    if (message.id === 2) break;
  }
  expect(seen.filter((m) => m.method === "elicitation/create")).toHaveLength(1);
  expect(seen.at(-1)).toMatchObject({ id: 2, result: { content: [{ text: "Hello, Ada!" }] } });

  // C streams a countdown; the client drops it after the first progress and resumes on A.
  const controller = new AbortController();
  const countdown = await fetch(
    legacyPost(
      c,
      {
        jsonrpc: "2.0",
        id: 3,
        method: "tools/call",
        params: { name: "countdown", arguments: { from: 4 }, _meta: { progressToken: "p" } },
      },
      { sessionId },
    ),
    { signal: controller.signal },
  );
  const before: SseEvent[] = [];
  try {
    for await (const event of readSse(countdown, { allBlocks: true })) {
      before.push(event);
      if (event.data.includes("notifications/progress")) break;
    }
  } finally {
    controller.abort();
  }
  const lastEventId = before.filter((e) => e.id !== undefined).at(-1)?.id as string;
  expect(lastEventId).toBeDefined();
  const resumed = await fetch(legacyGet(a, { sessionId, lastEventId }));
  expect(resumed.status).toBe(200);
  const after: SseEvent[] = [];
  for await (const event of readSse(resumed)) after.push(event);
  const progress = [...messagesOf(before), ...messagesOf(after)]
    .filter((m) => m.method === "notifications/progress")
    .map((m) => m.params.progress);
  // Nothing lost, nothing duplicated.
  expect(progress).toEqual([1, 2, 3, 4]);
  expect(messagesOf(after).filter((m) => m.id === 3)).toEqual([
    expect.objectContaining({
      result: expect.objectContaining({ content: [{ type: "text", text: "Liftoff!" }] }),
    }),
  ]);

  // DELETE on B ends the session everywhere.
  expect((await fetch(legacyDelete(b, { sessionId }))).status).toBe(200);
  for (const url of [a, b, c]) {
    const res = await fetch(legacyPost(url, { jsonrpc: "2.0", id: 9, method: "tools/list" }, { sessionId }));
    expect(res.status).toBe(404);
    await res.arrayBuffer();
  }
}

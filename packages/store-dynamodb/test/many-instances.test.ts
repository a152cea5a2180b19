import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import {
  initializeBody,
  legacyDelete,
  legacyGet,
  legacyPost,
  readSse,
  type SseEvent,
} from "@portico/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalTable, startLocalTable } from "./_dynalite.ts";

const children: ChildProcess[] = [];
let table: LocalTable;
let urls: string[] = [];

function startInstance(): Promise<string> {
  const child = spawn(
    process.execPath,
    ["--conditions=@portico/source", fileURLToPath(new URL("./_instance.ts", import.meta.url))],
    {
      env: { ...process.env, TABLE_NAME: table.tableName, DYNAMO_ENDPOINT: table.endpoint },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("instance did not start")), 20_000);
    child.once("exit", (code) => reject(new Error(`instance exited (${code})`)));
    let buffered = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const line = buffered.split("\n")[0];
      if (buffered.includes("\n") && line !== undefined) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      }
    });
  });
}

beforeAll(async () => {
  table = await startLocalTable(`many-${Date.now()}`);
  urls = await Promise.all([startInstance(), startInstance(), startInstance()]);
}, 60_000);

afterAll(async () => {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
          setTimeout(() => child.kill("SIGKILL"), 3_000).unref();
        }),
    ),
  );
  await table?.close();
});

const messagesOf = (events: SseEvent[]) => events.filter((e) => e.data !== "").map((e) => JSON.parse(e.data));

describe("one legacy session across three handler processes sharing DynamoDB", () => {
  it("initialize on A, elicitation on B answered on C, a dropped stream resumed on A, DELETE on B", async () => {
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
      legacyPost(
        b,
        { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "greet" } },
        { sessionId },
      ),
    );
    const seen: unknown[] = [];
    for await (const event of readSse(call)) {
      if (event.data === "") continue;
      const message = JSON.parse(event.data);
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
    expect(seen.filter((m) => (m as { method?: string }).method === "elicitation/create")).toHaveLength(1);
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
      const res = await fetch(
        legacyPost(url, { jsonrpc: "2.0", id: 9, method: "tools/list" }, { sessionId }),
      );
      expect(res.status).toBe(404);
      await res.arrayBuffer();
    }
  }, 60_000);
});

/**
 * Inside workerd: a `subscriptions/listen` stream followed to its end through the Workers adapter —
 * its `stream ended` line and `StreamDuration`/`StreamBytes` metrics when the client leaves, and the
 * client's cancel reaching the server's stream (the caller's one listen place is free again).
 */
import { createExecutionContext } from "cloudflare:test";
import { handle } from "@portico/adapter-workers";
import { createHandler, McpServer } from "@portico/core";
import { describe, expect, it } from "vitest";
import { type LogRecord, type Metric, metricHook, observe } from "../../src/index.ts";
import { modernRequest } from "../_requests.ts";
import { streamEnded } from "../_server.ts";

const listenRequest = () =>
  modernRequest(
    "subscriptions/listen",
    { notifications: { toolsListChanged: true } },
    { "cf-ray": "8f1a2b3c4d5e6f72-AMS", "cf-connecting-ip": "198.51.100.9" },
    "https://observe.acct.workers.dev/mcp",
  );

describe("streams inside workerd", () => {
  it("a listen stream the client leaves: its line and metrics, and its place freed", async () => {
    const lines: LogRecord[] = [];
    const metrics: Metric[] = [];
    const ops = observe({ sink: (r) => lines.push(r), instruments: [metricHook((m) => metrics.push(m))] });
    const server = new McpServer({ name: "edge", version: "1.0.0" });
    server.use(ops);
    const worker = handle(createHandler(server, { onError: ops.onError, maxListenStreamsPerCaller: 1 }));
    const open = () => worker.fetch(listenRequest(), {}, createExecutionContext());
    const listen = await open();
    expect(listen.status).toBe(200);
    const reader = listen.body?.getReader();
    const first = await reader?.read();
    expect(new TextDecoder().decode(first?.value)).toContain("notifications/subscriptions/acknowledged");
    expect((await open()).status).toBe(429); // the caller's one place is taken
    await reader?.cancel();
    const ended = await streamEnded(lines);
    expect(ended).toMatchObject({
      method: "subscriptions/listen",
      hostRequestId: "8f1a2b3c4d5e6f72-AMS",
      endedBy: "client",
    });
    expect((ended?.bytes as number) > 0).toBe(true);
    expect(
      metrics
        .filter((m) => m.name === "StreamDuration" || m.name === "StreamBytes")
        .map((m) => [m.name, m.dimensions]),
    ).toStrictEqual([
      ["StreamDuration", { Stream: "listen", EndedBy: "client" }],
      ["StreamBytes", { Stream: "listen", EndedBy: "client" }],
    ]);
    const again = await open();
    expect(again.status).toBe(200);
    await again.body?.cancel();
  });
});

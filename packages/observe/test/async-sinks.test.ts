/**
 * Sinks, metric hooks, EMF writers, line writers and instruments are typed as returning nothing,
 * but an async one (a log backend reached over the network) returns a promise: when it rejects,
 * the rejection is dropped — never an unhandled rejection, which ends a Node process.
 */
import { addTool, createHandler, McpServer, memoryStores } from "@portico/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  batchedWriter,
  emfMetrics,
  type Instrument,
  jsonLines,
  metricHook,
  type ObserveOptions,
  observe,
} from "../src/index.ts";
import { modernRequest } from "./_requests.ts";

let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

beforeEach(() => {
  unhandled = [];
  process.on("unhandledRejection", onUnhandled);
});
afterEach(() => {
  process.off("unhandledRejection", onUnhandled);
});

/** Lets rejections that nobody handles be reported (they are, after the microtask queue drains). */
const settled = async () => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
};

const down = async (): Promise<void> => {
  throw new Error("backend down");
};

/** One `tools/call` of a tool that writes two lines of its own; the answer's status and text. */
async function served(options: ObserveOptions) {
  const ops = observe(options);
  const server = new McpServer({ name: "s", version: "1" });
  server.use(ops);
  addTool(server, "echo", {}, (_args, ctx) => {
    ctx.logger.info("one");
    ctx.logger.warn("two");
    return "hi";
  });
  const handler = createHandler(server, { onError: ops.onError, stores: ops.stores(memoryStores()) });
  const response = await handler.fetch(modernRequest("tools/call", { name: "echo", arguments: {} }));
  return { status: response.status, text: await response.text() };
}

describe("an async callback that rejects never becomes an unhandled rejection", () => {
  it("a log sink", async () => {
    let calls = 0;
    const answer = await served({
      sink: () => {
        calls++;
        return down() as never;
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('"hi"');
    expect(calls).toBe(3); // the tool's two lines and the request line
    await settled();
    expect(unhandled).toStrictEqual([]);
  });

  it("a metric hook", async () => {
    let calls = 0;
    const answer = await served({
      sink: () => {},
      metrics: metricHook(() => {
        calls++;
        return down() as never;
      }),
    });
    expect(answer.status).toBe(200);
    expect(calls).toBeGreaterThan(0);
    await settled();
    expect(unhandled).toStrictEqual([]);
  });

  it("an EMF write", async () => {
    let calls = 0;
    const answer = await served({
      sink: () => {},
      metrics: emfMetrics({
        write: () => {
          calls++;
          return down() as never;
        },
      }),
    });
    expect(answer.status).toBe(200);
    expect(calls).toBeGreaterThan(0);
    await settled();
    expect(unhandled).toStrictEqual([]);
  });

  it("a batched writer's write (through jsonLines)", async () => {
    let calls = 0;
    const sink = jsonLines(
      batchedWriter(() => {
        calls++;
        return down() as never;
      }),
    );
    const answer = await served({ sink });
    expect(answer.status).toBe(200);
    await settled(); // the batch of the turn is written after it
    expect(calls).toBeGreaterThan(0);
    expect(unhandled).toStrictEqual([]);
  });

  it("an instrument's request and store observations", async () => {
    let ends = 0;
    const instrument: Instrument = {
      request: () => ({
        end: () => {
          ends++;
          return down() as never;
        },
      }),
      store: () => ({
        end: () => {
          ends++;
          return down() as never;
        },
      }),
    };
    const answer = await served({ sink: () => {}, instruments: [instrument] });
    expect(answer.status).toBe(200);
    expect(ends).toBeGreaterThan(0);
    await settled();
    expect(unhandled).toStrictEqual([]);
  });
});

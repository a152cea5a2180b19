/**
 * The sinks with the real libraries: the default JSON lines through console, pino, and AWS Lambda
 * Powertools' Logger — each gets the request line's fields and message.
 */
import { execFileSync } from "node:child_process";
import { Writable } from "node:stream";
import { Logger as PowertoolsLogger } from "@aws-lambda-powertools/logger";
import { addTool, createHandler, McpServer } from "@portico/core";
import { nodeStripsTypes } from "@portico/test-kit/node";
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { batchedWriter, jsonConsole, jsonLines, observe, pinoSink, powertoolsSink } from "../src/index.ts";
import { modernRequest } from "./_requests.ts";
import { observedServer } from "./_server.ts";

const addCall = () => modernRequest("tools/call", { name: "add", arguments: { a: 2, b: 3 } });
/** What an adapter passes: the host's request id. */
const HOST = { requestId: "r-1" };

afterEach(() => vi.restoreAllMocks());

/** Each JSON line written to `stream.write` while `run` runs. */
async function linesWritten(stream: NodeJS.WriteStream, run: () => Promise<unknown>) {
  const written: string[] = [];
  vi.spyOn(stream, "write").mockImplementation((chunk: string | Uint8Array) => {
    written.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString());
    return true;
  });
  await run();
  vi.restoreAllMocks();
  return written
    .join("")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("sinks", () => {
  it("jsonLines: a turn's lines in one write, a warning at once with what came before it", async () => {
    const chunks: string[] = [];
    const sink = jsonLines(batchedWriter((chunk) => chunks.push(chunk)));
    const ops = observe({ sink });
    ops.logger.info("one");
    ops.logger.info("two");
    expect(chunks).toStrictEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(chunks).toHaveLength(1);
    expect(
      chunks[0]
        ?.trim()
        .split("\n")
        .map((l) => JSON.parse(l).msg),
    ).toStrictEqual(["one", "two"]);
    ops.logger.info("three");
    ops.logger.warn("careful");
    expect(chunks).toHaveLength(2);
    expect(
      chunks[1]
        ?.trim()
        .split("\n")
        .map((l) => JSON.parse(l).msg),
    ).toStrictEqual(["three", "careful"]);
  });

  it("jsonLines: 64 KB waiting are written without waiting for the turn to end", () => {
    const chunks: string[] = [];
    const write = batchedWriter((chunk) => chunks.push(chunk));
    const line = "x".repeat(1023);
    for (let i = 0; i < 64; i++) write(line);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.length).toBe(64 * 1024);
  });

  it("the default sink writes JSON lines to stdout", async () => {
    const lines = await linesWritten(process.stdout, async () => {
      const ops = observe(); // the default sink
      const server = new McpServer({ name: "s", version: "1" });
      server.use(ops);
      addTool(server, "add", {}, () => "5");
      await createHandler(server).fetch(addCall(), undefined, HOST);
      await new Promise((resolve) => setImmediate(resolve));
    });
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: "mcp request", target: "add", hostRequestId: "r-1" }),
    );
  });

  it("jsonConsole: one JSON line per record, info on stdout and errors on stderr", async () => {
    const out = vi.spyOn(console, "log").mockImplementation(() => {});
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    const { handler } = observedServer({ sink: jsonConsole() });
    await handler.fetch(addCall(), undefined, HOST);
    await handler.fetch(modernRequest("tools/call", { name: "crash", arguments: {} }));
    const info = out.mock.calls.map((c) => JSON.parse(c[0] as string));
    expect(info).toContainEqual(
      expect.objectContaining({ msg: "mcp request", target: "add", hostRequestId: "r-1" }),
    );
    const errors = err.mock.calls.map((c) => JSON.parse(c[0] as string));
    expect(errors).toStrictEqual([
      expect.objectContaining({ level: "error", msg: "unhandled error", target: "crash" }),
    ]);
  });

  it("pinoSink: pino's own level numbers and time, Portico's fields and message", async () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        for (const l of String(chunk).split("\n")) if (l) lines.push(JSON.parse(l));
        done();
      },
    });
    const { handler } = observedServer({ sink: pinoSink(pino({ level: "debug" }, destination)) });
    await handler.fetch(addCall(), undefined, HOST);
    const line = lines.find((l) => l.msg === "mcp request");
    expect(line).toMatchObject({ level: 30, target: "add", outcome: "ok", hostRequestId: "r-1" });
    expect(typeof line?.time).toBe("number");
  });

  it("powertoolsSink: Powertools' service and level keys, Portico's fields", async () => {
    const logger = new PowertoolsLogger({ serviceName: "calc", logLevel: "DEBUG" });
    const { handler } = observedServer({ sink: powertoolsSink(logger) });
    const lines = await linesWritten(process.stdout, () => handler.fetch(addCall(), undefined, HOST));
    const line = lines.find((l) => l.message === "mcp request");
    expect(line).toMatchObject({
      level: "INFO",
      service: "calc",
      target: "add",
      outcome: "ok",
      hostRequestId: "r-1",
    });
  });
});

describe("batchedWriter at exit", () => {
  it.runIf(nodeStripsTypes)(
    "writes what is left when the process exits, with one exit listener however many writers",
    () => {
      const script = `
      import { batchedWriter } from ${JSON.stringify(new URL("../src/index.ts", import.meta.url).pathname)};
      const writers = Array.from({ length: 20 }, (_, i) => batchedWriter((chunk) => process.stdout.write(chunk)));
      writers.forEach((w, i) => w(JSON.stringify({ i })));
      process.exit(0);
    `;
      const out = execFileSync(
        process.execPath,
        ["--conditions=@portico/source", "--input-type=module", "-e", script],
        {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      expect(
        out
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l).i),
      ).toStrictEqual(Array.from({ length: 20 }, (_, i) => i));
    },
  );
});

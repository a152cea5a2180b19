/**
 * The fixed-rate client of (k): `node latency-client.ts '<json job>'`. Sends the call open-loop at
 * `rate` requests a second over `connections` keep-alive connections, first for a warm-up, then for
 * the measured window, and times each request from the moment it was due (not when a connection
 * was free: a server that falls behind is charged for the wait) to the end of its answer, with the
 * monotonic clock (µs, where autocannon's histogram counts whole ms). The client is a few lines of
 * HTTP/1.1 over `node:net` (a prebuilt request, answers framed by Content-Length or chunked) and
 * schedules with `setImmediate`, not a 1 ms timer, so its own share of each figure stays small.
 * Prints one JSON line: the measured latencies' percentiles and counts. Every answer must be a 200
 * carrying the sum.
 */
import net from "node:net";
import { fileURLToPath } from "node:url";
import { EXPECTED_TEXT } from "./requests.ts";

export interface LatencyJob {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Requests a second, sent whatever the answers' pace (open loop). */
  rate: number;
  connections: number;
  warmupSec: number;
  durationSec: number;
}

export interface LatencyResult {
  sent: number;
  /** Answers that were not a 200 carrying the sum, and connections that failed. */
  bad: number;
  /** µs. */
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** The `p` quantile of sorted values (nearest rank). */
export function quantile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

const SUM = `"text":"${EXPECTED_TEXT}"`;
/** The priming phase before the warm-up, in seconds (see `measureLatency`). */
export const PRIME_SEC = 0.2;
const HEADER_END = Buffer.from("\r\n\r\n");

/** The whole answer's length in `buf` once it is complete (headers and body), else `undefined`. */
function answerLength(buf: Buffer): { length: number; status: number; body: string } | undefined {
  const end = buf.indexOf(HEADER_END);
  if (end < 0) return undefined;
  const head = buf.subarray(0, end).toString("latin1");
  const status = Number(head.slice(9, 12));
  const start = end + 4;
  const length = /\r\ncontent-length: *(\d+)/i.exec(head);
  if (length !== null) {
    const total = start + Number(length[1]);
    return buf.length < total
      ? undefined
      : { length: total, status, body: buf.toString("utf8", start, total) };
  }
  if (!/\r\ntransfer-encoding: *chunked/i.test(head)) return { length: start, status, body: "" };
  // Chunked: sizes in hex, each chunk followed by CRLF, a zero-size chunk and CRLF to close.
  let at = start;
  let body = "";
  for (;;) {
    const line = buf.indexOf("\r\n", at);
    if (line < 0) return undefined;
    const size = Number.parseInt(buf.toString("latin1", at, line), 16);
    if (size === 0) return buf.length < line + 4 ? undefined : { length: line + 4, status, body };
    if (buf.length < line + 2 + size + 2) return undefined;
    body += buf.toString("utf8", line + 2, line + 2 + size);
    at = line + 2 + size + 2;
  }
}

interface Connection {
  socket: net.Socket;
  buffered: Buffer;
  /** When the request in flight was due (ms, performance.now), or undefined when idle. */
  due: number | undefined;
  closed: boolean;
}

export async function measureLatency(job: LatencyJob): Promise<LatencyResult> {
  const url = new URL(job.url);
  const body = Buffer.from(job.body);
  const head = [
    `POST ${url.pathname}${url.search} HTTP/1.1`,
    `host: ${url.host}`,
    ...Object.entries(job.headers).map(([k, v]) => `${k}: ${v}`),
    `content-length: ${body.byteLength}`,
    "",
    "",
  ].join("\r\n");
  const request = Buffer.concat([Buffer.from(head, "latin1"), body]);
  let bad = 0;
  /** Where answered requests' latencies go: the measured window's array, or a phase's thrown away. */
  let record: number[] = [];
  const idle: Connection[] = [];
  const queue: number[] = [];
  let inflight = 0;

  const dispatch = () => {
    while (queue.length > 0 && idle.length > 0) {
      const c = idle.pop() as Connection;
      c.due = queue.shift() as number;
      inflight++;
      c.socket.write(request);
    }
  };
  const connections = await Promise.all(
    Array.from(
      { length: job.connections },
      () =>
        new Promise<Connection>((resolve, reject) => {
          const socket = net.connect({ host: url.hostname, port: Number(url.port), noDelay: true });
          const c: Connection = { socket, buffered: Buffer.alloc(0), due: undefined, closed: false };
          socket.once("connect", () => resolve(c));
          socket.once("error", reject);
          socket.on("data", (chunk: Buffer) => {
            c.buffered = c.buffered.length === 0 ? chunk : Buffer.concat([c.buffered, chunk]);
            const answer = answerLength(c.buffered);
            if (answer === undefined || c.due === undefined) return;
            const us = (performance.now() - c.due) * 1000;
            c.buffered = c.buffered.subarray(answer.length);
            c.due = undefined;
            inflight--;
            if (answer.status === 200 && answer.body.includes(SUM)) record.push(us);
            else bad++;
            idle.push(c);
            dispatch();
          });
        }),
    ),
  );
  let open = connections.length;
  for (const c of connections) {
    c.socket.on("error", () => {});
    // A connection the server closed takes its request with it (counted bad) and serves no more.
    c.socket.once("close", () => {
      c.closed = true;
      open--;
      if (c.due !== undefined) {
        c.due = undefined;
        inflight--;
        bad++;
      }
      const at = idle.indexOf(c);
      if (at >= 0) idle.splice(at, 1);
    });
    idle.push(c);
  }
  // Open loop: each turn of the event loop queues every request due by now, answered or not.
  const phase = (seconds: number) =>
    new Promise<number>((done) => {
      const interval = 1000 / job.rate;
      const start = performance.now();
      const end = start + seconds * 1000;
      let next = start;
      let sent = 0;
      const turn = () => {
        const now = performance.now();
        while (next <= now && next < end) {
          queue.push(next);
          next += interval;
          sent++;
        }
        dispatch();
        if (open === 0) {
          // Nothing left to send on: what is queued is lost.
          bad += queue.length;
          queue.length = 0;
        }
        if (now < end || inflight > 0 || queue.length > 0) setImmediate(turn);
        else done(sent);
      };
      turn();
    });
  // Before the measured window every path it takes has run, recording as it does: a phase's end
  // reaches code its steady state never does (the last turn's checks, the call that resolves it),
  // and the optimised code V8 drops there for want of type feedback would otherwise be rebuilt in
  // the measured window's first ~50 ms, on the CPU this client's threads share — stalls of 2–6 ms
  // counted as latency, raw's and Portico's alike. So a short priming phase ends first, then the
  // warm-up, both recording into arrays that are thrown away.
  await phase(PRIME_SEC);
  record = [];
  await phase(job.warmupSec);
  const latencies: number[] = [];
  record = latencies;
  bad = 0;
  const sent = await phase(job.durationSec);
  for (const c of connections) if (!c.closed) c.socket.destroy();
  latencies.sort((a, b) => a - b);
  return {
    sent,
    bad,
    p50: quantile(latencies, 0.5),
    p90: quantile(latencies, 0.9),
    p99: quantile(latencies, 0.99),
    p999: quantile(latencies, 0.999),
    max: latencies.at(-1) ?? Number.NaN,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const job = JSON.parse(process.argv[2] ?? "{}") as LatencyJob;
  const result = await measureLatency(job);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

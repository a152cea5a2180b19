/**
 * A minimal RESP2 client for test infrastructure (the REST endpoint): it keeps the kind of every
 * reply (simple string, error, integer, bulk string as bytes, array, nil), which the real
 * clients blur, so the endpoint can answer exactly as Upstash does.
 */
import { connect, type Socket } from "node:net";

export type Resp =
  | { kind: "simple"; value: string }
  | { kind: "error"; value: string }
  | { kind: "integer"; value: number }
  | { kind: "bulk"; value: Buffer }
  | { kind: "array"; value: Resp[] }
  | { kind: "nil" };

const CRLF = Buffer.from("\r\n");

export function encodeCommand(args: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === "string" ? Buffer.from(arg, "utf8") : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, CRLF);
  }
  return Buffer.concat(parts);
}

/** Parses one reply at `offset`; `undefined` when the buffer does not hold all of it yet. */
function parse(buffer: Buffer, offset: number): { reply: Resp; next: number } | undefined {
  const end = buffer.indexOf(CRLF, offset);
  if (end < 0) return undefined;
  const type = String.fromCharCode(buffer[offset] as number);
  const line = buffer.toString("utf8", offset + 1, end);
  const next = end + 2;
  switch (type) {
    case "+":
      return { reply: { kind: "simple", value: line }, next };
    case "-":
      return { reply: { kind: "error", value: line }, next };
    case ":":
      return { reply: { kind: "integer", value: Number(line) }, next };
    case "$": {
      const length = Number(line);
      if (length < 0) return { reply: { kind: "nil" }, next };
      if (buffer.length < next + length + 2) return undefined;
      return {
        reply: { kind: "bulk", value: buffer.subarray(next, next + length) },
        next: next + length + 2,
      };
    }
    case "*": {
      const count = Number(line);
      if (count < 0) return { reply: { kind: "nil" }, next };
      const items: Resp[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parse(buffer, at);
        if (!item) return undefined;
        items.push(item.reply);
        at = item.next;
      }
      return { reply: { kind: "array", value: items }, next: at };
    }
    default:
      throw new Error(`unexpected RESP type ${JSON.stringify(type)}`);
  }
}

export interface RespConnection {
  /** Sends the commands in one write and resolves their replies in order. */
  send(commands: (string | Buffer)[][]): Promise<Resp[]>;
  close(): void;
}

export async function respConnect(port: number): Promise<RespConnection> {
  const socket: Socket = connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const waiting: { resolve: (reply: Resp) => void; reject: (error: Error) => void }[] = [];
  let buffer = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    let offset = 0;
    for (;;) {
      const parsed = parse(buffer, offset);
      if (!parsed) break;
      offset = parsed.next;
      waiting.shift()?.resolve(parsed.reply);
    }
    buffer = buffer.subarray(offset);
  });
  const failAll = (error: Error) => {
    for (const entry of waiting.splice(0)) entry.reject(error);
  };
  socket.on("error", failAll);
  socket.on("close", () => failAll(new Error("connection closed")));
  return {
    send(commands) {
      if (socket.destroyed) return Promise.reject(new Error("connection closed"));
      const replies = commands.map(
        () => new Promise<Resp>((resolve, reject) => waiting.push({ resolve, reject })),
      );
      socket.write(Buffer.concat(commands.map(encodeCommand)));
      return Promise.all(replies);
    },
    close: () => socket.destroy(),
  };
}

/// <reference types="node" />
/**
 * `@portico/proxy/stdio`: a transport to an MCP server run as a child process, speaking
 * newline-delimited JSON-RPC on its stdin and stdout (the MCP stdio transport). Node only; the
 * main entry stays free of `node:` imports.
 */

import { type ChildProcess, spawn } from "node:child_process";
import type { ProxyTransport, TransportMessage } from "./transport.ts";

/** The longest line (one JSON-RPC message) read from the child: 4 MiB. */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;
/**
 * The most bytes left waiting for the child's stdin before a send is refused: 8 MiB. A child that
 * stops reading would otherwise make the proxy keep every message (and each call's arguments) for
 * as long as it lives. A refused send fails that request as an unreachable upstream; the child is
 * not ended, so one that was only busy is used again once it reads what is queued.
 */
export const MAX_PENDING_BYTES = 8 * 1024 * 1024;
/** How long `close()` waits after SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 2000;

export interface StdioTransportOptions {
  /** The program to run. */
  command: string;
  args?: readonly string[];
  /** Variables added to (and overriding) the proxy's own environment for the child. */
  env?: Record<string, string>;
  /** The child's working directory. Default: the proxy's. */
  cwd?: string;
  /**
   * The child's stderr: `"inherit"` (default: the proxy's stderr), `"ignore"`, or a function
   * called with each line (lines longer than 64 KiB are cut).
   */
  stderr?: "inherit" | "ignore" | ((line: string) => void);
  /** The longest line read from the child's stdout; a longer one is an error that ends the child. */
  maxLineBytes?: number;
}

/** A transport for `proxy(server, stdioTransport({ command, args }))`. */
export function stdioTransport(options: StdioTransportOptions): ProxyTransport {
  return new StdioTransport(options);
}

class StdioTransport implements ProxyTransport {
  readonly #options: StdioTransportOptions;
  #child: ChildProcess | undefined;
  #exited: Promise<void> | undefined;
  #closed = false;
  onmessage?: (message: TransportMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;

  constructor(options: StdioTransportOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    if (this.#child !== undefined) throw new Error("stdioTransport: already started");
    const { command, args = [], env, cwd, stderr = "inherit" } = this.#options;
    const child = spawn(command, [...args], {
      env: env === undefined ? process.env : { ...process.env, ...env },
      ...(cwd === undefined ? {} : { cwd }),
      stdio: ["pipe", "pipe", typeof stderr === "function" ? "pipe" : stderr],
      windowsHide: true,
    });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once("close", () => resolve()));
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
    child.on("error", (error) => this.onerror?.(error));
    child.once("close", () => this.#end());
    child.stdin?.on("error", (error) => this.onerror?.(error));
    this.#readLines(child, this.#options.maxLineBytes ?? MAX_LINE_BYTES);
    if (typeof stderr === "function" && child.stderr !== null) {
      let rest = "";
      child.stderr.setEncoding("utf8");
      child.stderr.on("data", (chunk: string) => {
        const lines = (rest + chunk).split("\n");
        rest = (lines.pop() ?? "").slice(0, 65_536);
        for (const line of lines) stderr(line.slice(0, 65_536));
      });
    }
  }

  send(message: TransportMessage): Promise<void> {
    const stdin = this.#child?.stdin;
    if (this.#closed || stdin === null || stdin === undefined || !stdin.writable) {
      return Promise.reject(new Error("stdioTransport: not running"));
    }
    if (stdin.writableLength >= MAX_PENDING_BYTES) {
      return Promise.reject(
        new Error(
          `stdioTransport: the child is not reading its stdin (${stdin.writableLength} bytes wait for it); the message was not sent`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      stdin.write(`${JSON.stringify(message)}\n`, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Ends the child: its stdin closed, SIGTERM, then SIGKILL after 2 s; resolves once it exited. */
  async close(): Promise<void> {
    const child = this.#child;
    if (child === undefined) {
      this.#end();
      return;
    }
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin?.end();
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
      await this.#exited;
      clearTimeout(timer);
    }
    this.#end();
  }

  #end(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onclose?.();
  }

  /** Splits stdout into lines (bounded), each parsed as one JSON-RPC message. */
  #readLines(child: ChildProcess, maxBytes: number): void {
    const stdout = child.stdout;
    if (stdout === null) return;
    let chunks: Buffer[] = [];
    let size = 0;
    stdout.on("data", (chunk: Buffer) => {
      let start = 0;
      for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
        chunks.push(chunk.subarray(start, newline));
        const line = Buffer.concat(chunks).toString("utf8");
        chunks = [];
        size = 0;
        start = newline + 1;
        this.#line(line);
      }
      if (start < chunk.length) {
        chunks.push(chunk.subarray(start));
        size += chunk.length - start;
        if (size > maxBytes) {
          chunks = [];
          size = 0;
          this.onerror?.(new Error(`stdioTransport: a line longer than ${maxBytes} bytes; ending the child`));
          void this.close();
        }
      }
    });
  }

  #line(line: string): void {
    const text = line.endsWith("\r") ? line.slice(0, -1) : line;
    if (text.trim() === "" || this.#closed) return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.onerror?.(new Error("stdioTransport: the child wrote a line that is not JSON"));
      return;
    }
    if (message !== null && typeof message === "object" && !Array.isArray(message)) {
      this.onmessage?.(message as TransportMessage);
    } else {
      this.onerror?.(new Error("stdioTransport: the child wrote a line that is not a JSON-RPC message"));
    }
  }
}

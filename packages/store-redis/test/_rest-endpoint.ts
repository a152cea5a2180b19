/**
 * A local stand-in for Upstash's REST API in front of a real redis-server, for the tests only
 * (bound to 127.0.0.1). It follows the contract @upstash/redis speaks: `POST /` with a JSON
 * command array → `{"result": …}`, an error reply → HTTP 400 `{"error": "…"}`; `POST /pipeline`
 * and `POST /multi-exec` with an array of commands → an array of `{"result"}`/`{"error"}`;
 * `Authorization: Bearer <token>` (else 401); with `Upstash-Encoding: base64`, every string in a
 * result except the status reply "OK" is base64 of its bytes; an `upstash-sync-token` header on
 * every answer. Faults can be injected per request.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type Resp, type RespConnection, respConnect } from "./_resp.ts";

export type RestFault =
  | "http-500"
  | "http-503"
  | "reset"
  /** Runs the request against Redis, then answers 500: the write happened, its answer is lost. */
  | "lost-answer";

export interface RestEndpoint {
  url: string;
  token: string;
  /** Every command that reached the endpoint (name only), in arrival order. */
  seen: string[];
  /** Sync tokens the clients sent, in arrival order (`""` when absent). */
  syncTokens: string[];
  inject(...faults: RestFault[]): void;
  close(): Promise<void>;
}

function toJson(reply: Resp, base64: boolean): unknown {
  switch (reply.kind) {
    case "simple":
      return base64 && reply.value !== "OK" ? Buffer.from(reply.value).toString("base64") : reply.value;
    case "bulk":
      return base64 ? reply.value.toString("base64") : reply.value.toString("utf8");
    case "integer":
      return reply.value;
    case "nil":
      return null;
    case "error":
      return reply.value;
    case "array":
      return reply.value.map((item) => toJson(item, base64));
  }
}

function entry(reply: Resp, base64: boolean): { result: unknown } | { error: string } {
  return reply.kind === "error" ? { error: reply.value } : { result: toJson(reply, base64) };
}

function isCommand(value: unknown): value is (string | number)[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((a) => typeof a === "string" || typeof a === "number")
  );
}

export async function startRestEndpoint(
  redisPort: number,
  token = "local-test-token",
): Promise<RestEndpoint> {
  const faults: RestFault[] = [];
  const seen: string[] = [];
  const syncTokens: string[] = [];
  let redis: Promise<RespConnection> | undefined;
  let syncCounter = 0;

  /** One shared connection, reopened after it failed. */
  async function run(commands: string[][]): Promise<Resp[]> {
    redis ??= respConnect(redisPort);
    const connection = redis;
    try {
      return await (await connection).send(commands);
    } catch (error) {
      if (redis === connection) redis = undefined;
      (await connection.catch(() => undefined))?.close();
      throw error;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, {
        "content-type": "application/json",
        "upstash-sync-token": String(++syncCounter),
      });
      res.end(JSON.stringify(body));
    };
    if (req.method !== "POST") return send(405, { error: "Method not allowed" });
    if (req.headers.authorization !== `Bearer ${token}`) return send(401, { error: "Unauthorized" });
    syncTokens.push(String(req.headers["upstash-sync-token"] ?? ""));
    const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return send(400, { error: "ERR failed to parse the request body as JSON" });
    }
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const batch = path === "/pipeline" || path === "/multi-exec";
    const commands = batch ? body : [body];
    if (!Array.isArray(commands) || !commands.every(isCommand) || (path !== "/" && !batch)) {
      return send(400, { error: "ERR invalid command" });
    }
    const args = commands.map((command) => command.map(String));
    for (const command of args) seen.push(String(command[0]).toUpperCase());
    const fault = faults.shift();
    if (fault === "reset") {
      req.socket.destroy();
      return;
    }
    if (fault === "http-500" || fault === "http-503") {
      return send(fault === "http-500" ? 500 : 503, { error: "injected" });
    }
    let replies: Resp[];
    try {
      if (path === "/multi-exec") {
        const all = await run([["MULTI"], ...args, ["EXEC"]]);
        const exec = all.at(-1) as Resp;
        if (exec.kind !== "array")
          return send(400, { error: exec.kind === "error" ? exec.value : "ERR EXEC aborted" });
        replies = exec.value;
      } else {
        replies = await run(args);
      }
    } catch (error) {
      return send(500, { error: `redis unreachable: ${(error as Error).message}` });
    }
    if (fault === "lost-answer")
      return send(500, { error: "injected: the command ran, its answer was lost" });
    if (batch)
      return send(
        200,
        replies.map((reply) => entry(reply, base64)),
      );
    const [reply] = replies as [Resp];
    return reply.kind === "error"
      ? send(400, { error: reply.value })
      : send(200, { result: toJson(reply, base64) });
  }

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    seen,
    syncTokens,
    inject: (...more) => faults.push(...more),
    close: async () => {
      await new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      });
      (await redis?.catch(() => undefined))?.close();
    },
  };
}

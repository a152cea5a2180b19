/** Test connections: a raw RESP connection to the suite's redis-server, and a scripted fake. */
import { afterAll, beforeAll } from "vitest";
import type { RedisConnection } from "../src/index.ts";
import type { Backends } from "./_backends.ts";
import { type Resp, type RespConnection, respConnect } from "./_resp.ts";

/** A raw connection to `backends.redis`, opened before the file's tests and closed after them. */
export function useRawConnection(backends: Backends): Pick<RespConnection, "send"> {
  let raw: RespConnection | undefined;
  beforeAll(async () => {
    raw = await respConnect(backends.redis.port);
  });
  afterAll(() => {
    raw?.close();
  });
  return {
    send: (commands): Promise<Resp[]> => {
      if (raw === undefined) throw new Error("the raw connection is not open yet");
      return raw.send(commands);
    },
  };
}

/**
 * A connection answering from a list (each answer sees its command), recording every command; past
 * the list, `whenOut` answers
 * (default: null, as for an absent key).
 */
export function scripted(
  answers: ((command: string[]) => Promise<unknown>)[],
  whenOut: (command: string[]) => Promise<unknown> = () => Promise.resolve(null),
): RedisConnection & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    send(command) {
      calls.push(command);
      return (answers.shift() ?? whenOut)(command);
    },
  };
}

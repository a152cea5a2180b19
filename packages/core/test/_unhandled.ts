/** For tests of what must never be left unhandled (an unhandled rejection ends a Node process) or unanswered. */
import { afterEach, beforeEach } from "vitest";
import type { McpHandler } from "../src/index.ts";
import { type Answer, legacySession, modern } from "./_client.ts";

/** The unhandled promise rejections of each test of the calling file (emptied before each test). */
export function unhandledRejections(): unknown[] {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on("unhandledRejection", onUnhandled);
  });
  afterEach(() => {
    process.off("unhandledRejection", onUnhandled);
  });
  return unhandled;
}

/** `answer`, or a rejection after 2 s (a request left without an answer). */
export function within(answer: Promise<Answer>): Promise<Answer> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("no answer within 2 s")), 2000);
  });
  return Promise.race([answer, timeout]).finally(() => clearTimeout(timer));
}

/** Lets work that outlives an answer (reports, late rejections) happen. */
export const settle = (): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, 20));

/**
 * One request of `method` in `era` (a legacy one in a fresh session), its answer within 2 s, then
 * time for what outlives it; the handler is closed afterwards.
 */
export async function answerOnce(
  handler: McpHandler,
  era: "modern" | "legacy",
  method: string,
  params: Record<string, unknown> = {},
): Promise<Answer> {
  try {
    const answer =
      era === "modern"
        ? await within(modern(handler, method, params))
        : await within((await legacySession(handler)).call(method, params));
    await settle();
    return answer;
  } finally {
    handler.close();
  }
}

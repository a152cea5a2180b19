/** For tests of what must never be left unhandled (an unhandled rejection ends a Node process) or unanswered. */
import { afterEach, beforeEach } from "vitest";
import type { Answer } from "./_client.ts";

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

/** What every adapter's correlation test checks of the emitted lines. */
import { expect } from "vitest";
import type { LogRecord } from "../src/index.ts";
import { requestLines } from "./_server.ts";

/** The request line and the tool's line, both carrying `hostRequestId` and `traceId`. */
export function expectCorrelated(lines: LogRecord[], hostRequestId: string, traceId: string): void {
  const [line] = requestLines(lines);
  expect(line).toMatchObject({ outcome: "ok", target: "add", hostRequestId, traceId });
  expect(lines.find((l) => l.msg === "adding")).toMatchObject({ hostRequestId, traceId });
}

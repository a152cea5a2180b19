/**
 * The quickstart's JSON request line (`@portico/observe`) for a modern `tools/call` of `add`, read
 * from a host's output: what the Workers and Vercel tests check after calling the deployed entry.
 */
import { requestLine } from "@portico/test-kit";
import { expect } from "vitest";

/**
 * Waits (up to 10 s: a dev server prints its function's output as it comes) for the request line
 * whose `hostRequestId` is `id` in `output()`, checks what every such line says, and returns it.
 */
export async function expectAddLine(output: () => string, id: string): Promise<Record<string, unknown>> {
  const line = () => requestLine(output(), id);
  await expect.poll(line, { timeout: 10_000 }).toBeDefined();
  const found = line() as Record<string, unknown>;
  expect(found).toMatchObject({
    level: "info",
    service: "portico-quickstart",
    method: "tools/call",
    target: "add",
    era: "modern",
    outcome: "ok",
    hostRequestId: id,
  });
  return found;
}

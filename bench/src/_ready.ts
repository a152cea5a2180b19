/**
 * What a server child does once listening: print `{"url": ...}` and stop on SIGTERM, SIGINT or a lost
 * parent. From then on it counts the time its garbage collections take, and answers each SIGUSR2
 * with one line `{"gcMs": ...}` (the total so far), so the parent can tell GC time per request.
 */
import { PerformanceObserver } from "node:perf_hooks";

let gcMs = 0;

export function ready(url: string, stop: () => void): void {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  }).observe({ entryTypes: ["gc"] });
  process.on("SIGUSR2", () => process.stdout.write(`${JSON.stringify({ gcMs })}\n`));
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  process.once("disconnect", stop);
}

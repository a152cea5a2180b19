/** What a server child does once listening: print `{"url": ...}` and stop on SIGTERM, SIGINT or a lost parent. */
export function ready(url: string, stop: () => void): void {
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  process.once("disconnect", stop);
}

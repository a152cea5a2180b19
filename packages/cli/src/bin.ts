#!/usr/bin/env node
// The `portico` command. The Node check comes first, before anything else is loaded.
import { nodeTooOld } from "./_version.ts";

const tooOld = nodeTooOld();
if (tooOld !== undefined) {
  console.error(tooOld);
  process.exit(1);
}
const { main } = await import("./main.ts");
const code = await main(process.argv.slice(2));
// Exit once stdout has drained: a watcher, a client or an SSE timer must not keep a finished command alive.
process.stdout.write("", () => process.exit(code));

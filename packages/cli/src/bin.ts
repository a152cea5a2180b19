#!/usr/bin/env node
// The `portico` command. The Node check comes first, before anything else is loaded.
import { nodeTooOld } from "./_version.ts";

const tooOld = nodeTooOld();
if (tooOld !== undefined) {
  console.error(tooOld);
  process.exit(1);
}
const { main } = await import("./main.ts");
const args = process.argv.slice(2);
const code = await main(args);
// Exit once stdout has drained: a watcher, a client or an SSE timer must not keep a finished command alive.
const exit = (): never => process.exit(code);
process.stdout.write("", exit);
// `portico stdio` has stopped (its input ended, or a signal): what is left on stdout is for a client
// that may have stopped reading it. Wait for it a while, not forever. (Other commands' output, a
// `call` result, is waited for whole: the reader may be slow, not gone.)
if (args[0] === "stdio") setTimeout(exit, 2000);

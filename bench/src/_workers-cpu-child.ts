/**
 * Child processes of workers-cpu.ts:
 *
 *   node --conditions=@portico/source _workers-cpu-child.ts serve <wrangler.jsonc>
 *     starts that Worker under `wrangler dev` (`devWorker`: workerd on 127.0.0.1, a port from the
 *     OS, inspector and file watching off, offline), prints `{"url", "wrangler"}` once it serves, and
 *     stops it (workerd gone, state removed) when its stdin closes: the parent's way to stop it, and
 *     what happens when the parent dies. Not on SIGTERM: wrangler's own handler ends the process
 *     first, leaving the state directory behind.
 *
 *   node --conditions=@portico/source _workers-cpu-child.ts load '<json job>'
 *     load.ts's `measure` (autocannon warm-up, `{"measuring":true}`, then the measured figures), with
 *     every answer of the measured window checked to carry the sum: the others count as mismatches.
 */
import { createRequire } from "node:module";
import { type LoadJob, type LoadResult, measure } from "./load.ts";
import { EXPECTED_TEXT, parseMessage } from "./requests.ts";

export interface CheckedLoadResult extends LoadResult {
  /** Answers whose body is not a JSON-RPC result with the text "5". */
  mismatches: number;
}

/** Whether a JSON or SSE body is a successful `add` result with the sum. */
function carriesSum(body: string): boolean {
  try {
    const sse = !body.trimStart().startsWith("{");
    const message = parseMessage(sse ? "text/event-stream" : "application/json", body) as {
      result?: { content?: Array<{ text?: string }>; isError?: boolean };
    };
    return message.result?.isError !== true && message.result?.content?.[0]?.text === EXPECTED_TEXT;
  } catch {
    return false;
  }
}

async function serve(config: string): Promise<void> {
  const { devWorker } = await import("@portico/adapter-workers/dev");
  const worker = await devWorker(config, { conditions: ["@portico/source", "workerd", "worker", "browser"] });
  const require = createRequire(import.meta.resolve("@portico/adapter-workers/dev"));
  const wrangler = (require("wrangler/package.json") as { version: string }).version;
  process.stdout.write(`${JSON.stringify({ url: worker.url.href, wrangler })}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void worker.stop().finally(() => process.exit(0));
  };
  process.stdin.on("end", stop);
  process.stdin.on("error", stop);
  process.stdin.resume();
}

const [mode, arg = ""] = process.argv.slice(2);
const main =
  mode === "serve"
    ? serve(arg)
    : mode === "load"
      ? measure(JSON.parse(arg) as LoadJob, carriesSum)
      : undefined;
if (main === undefined) {
  console.error("usage: _workers-cpu-child.ts serve <wrangler.jsonc> | load '<json job>'");
  process.exit(2);
}
main.catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

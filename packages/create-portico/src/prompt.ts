/** Asks for what the command line left out, on a terminal (node:readline, no dependencies). */
import { createInterface, type Interface } from "node:readline/promises";
import type { Readable, Writable } from "node:stream";
import type { CliArgs } from "./args.ts";
import {
  defaultStores,
  invalidPackageName,
  packageNameFrom,
  RUNTIME_DESCRIPTIONS,
  RUNTIMES,
  type Runtime,
  STORES_BY_RUNTIME,
  type StoreKind,
} from "./options.ts";

async function choose<T extends string>(
  rl: Interface,
  question: string,
  choices: readonly T[],
  describe: (choice: T) => string,
): Promise<T> {
  const lines = choices.map((choice, i) => `  ${i + 1}) ${choice}${describe(choice)}`);
  for (;;) {
    const answer = (await rl.question(`${question}\n${lines.join("\n")}\nChoice [1]: `)).trim();
    if (answer === "") return choices[0] as T;
    const byNumber = choices[Number(answer) - 1];
    if (/^\d+$/.test(answer) && byNumber !== undefined) return byNumber;
    if ((choices as readonly string[]).includes(answer)) return answer as T;
  }
}

/** Fills in `directory`, `runtime`, `stores` and `name` by asking, where `args` has none. */
export async function promptMissing(args: CliArgs, input: Readable, output: Writable): Promise<CliArgs> {
  const rl = createInterface({ input, output });
  try {
    const filled: CliArgs = { ...args };
    if (filled.directory === undefined) {
      const answer = (await rl.question("Project directory [my-portico-app]: ")).trim();
      filled.directory = answer === "" ? "my-portico-app" : answer;
    }
    if (filled.runtime === undefined) {
      filled.runtime = await choose<Runtime>(
        rl,
        "Where will it run?",
        RUNTIMES,
        (r) => ` — ${RUNTIME_DESCRIPTIONS[r]}`,
      );
    }
    if (filled.stores === undefined) {
      const runtime = filled.runtime;
      filled.stores = await choose<StoreKind>(
        rl,
        "Where do sessions live?",
        STORES_BY_RUNTIME[runtime],
        (s) => (s === defaultStores(runtime) ? " (default)" : ""),
      );
    }
    if (filled.name === undefined) {
      const fallback = packageNameFrom(filled.directory.split(/[\\/]/).filter(Boolean).pop() ?? "");
      for (;;) {
        const answer = (await rl.question(`Package name [${fallback}]: `)).trim() || fallback;
        const problem = invalidPackageName(answer);
        if (problem === undefined) {
          filled.name = answer;
          break;
        }
        output.write(`${problem}\n`);
      }
    }
    return filled;
  } finally {
    rl.close();
  }
}

/// <reference types="node" />
/**
 * The `portico-skills` command:
 *
 *   portico-skills bundle <dir> --out <file>
 *
 * `main(args)` resolves the exit code: 0 done, 1 the skills are invalid, 2 a usage error.
 */
import { parseArgs } from "node:util";
import { writeSkillsModule } from "./write-module.ts";

export const USAGE = `Usage: portico-skills bundle <dir> --out <file>

Bundles the skills in <dir> (every folder with a SKILL.md) into an ES module for addSkills()
from @portico/skills, so the server needs no file system (Lambda, Workers).

Options:
  -o, --out <file>  the module to write (.ts, .mts, .js or .mjs)
  -h, --help        show this help`;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

const consoleIo: CliIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
};

/** Runs the command with `args` (without `node` and the script); resolves the exit code. */
export async function main(args: string[], io: CliIo = consoleIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    io.err(`portico-skills: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const [command, dir, ...rest] = positionals;
  const usage = (message: string) => {
    io.err(`portico-skills: ${message}\n\n${USAGE}`);
    return 2;
  };
  if (command === undefined) return usage("missing command");
  if (command !== "bundle") return usage(`unknown command "${command}"`);
  if (dir === undefined) return usage("missing <dir>, the skills folder");
  if (rest.length > 0) return usage(`unexpected argument "${rest[0]}"`);
  if (values.out === undefined) return usage("missing --out <file>");
  try {
    const summary = await writeSkillsModule(dir, values.out);
    io.out(
      `portico-skills: bundled ${summary.skills} skill(s), ${summary.files} file(s), ${summary.bytes} bytes into ${summary.outFile}`,
    );
    return 0;
  } catch (error) {
    io.err(`portico-skills: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: "string", short: "o" }, help: { type: "boolean", short: "h" } },
  });
}

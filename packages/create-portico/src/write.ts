/** Writes a rendered project into its directory, refusing one that already has files in it. */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ProjectFiles } from "./templates/index.ts";

/** A directory that cannot take the project; the message is one line for the user. */
export class TargetError extends Error {
  override readonly name = "TargetError";
}

/**
 * Checks that `directory` can take a new project: absent, or an empty directory, or (with `force`)
 * any directory. Throws {@link TargetError}.
 */
export function checkTarget(directory: string, force: boolean): void {
  if (!existsSync(directory)) return;
  if (!statSync(directory).isDirectory()) throw new TargetError(`${directory} exists and is not a directory`);
  const entries = readdirSync(directory).filter((entry) => entry !== ".git");
  if (entries.length > 0 && !force) {
    throw new TargetError(
      `${directory} is not empty (${entries.length} ${entries.length === 1 ? "entry" : "entries"}): choose another directory, or pass --force to write into it anyway`,
    );
  }
}

/** Writes every file under `directory` (created as needed); existing files of the same name are replaced. */
export function writeProject(directory: string, files: ProjectFiles): void {
  for (const [path, content] of Object.entries(files)) {
    const file = join(directory, ...path.split("/"));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

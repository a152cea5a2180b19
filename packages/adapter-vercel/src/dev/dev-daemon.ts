/**
 * The dev daemon's entry file (`dist/dev-daemon.js`), which `vercelDevDefaults` starts detached:
 * `node dev-daemon.js --file <info file> --owner <pid> --idle-ms <ms>`. Not a module to import.
 */
import { runDevDaemon } from "./_daemon.ts";

function flag(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? undefined : process.argv[at + 1];
}

const file = flag("file");
const ownerPid = Number(flag("owner") ?? 0);
const idleMs = Number(flag("idle-ms") ?? 30 * 60_000);
if (!file || !Number.isSafeInteger(ownerPid) || !(idleMs > 0)) {
  process.stderr.write(
    "[portico-dev-daemon] fatal: usage: dev-daemon --file <path> --owner <pid> --idle-ms <ms>\n",
  );
  process.exit(2);
}
runDevDaemon({ file, ownerPid, idleMs }).catch((error: unknown) => {
  process.stderr.write(
    `[portico-dev-daemon] fatal: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});

/** What the Node-side helpers share about running wrangler. */
import { rmdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/**
 * Environment that keeps wrangler offline and quiet: no metrics, error reports or `Request.cf`
 * fetch, warnings and errors only on the console.
 */
export const QUIET_WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_LOG: "warn",
} as const;

/** Where wrangler may write its logs and metrics settings instead of the user's home. */
export function wranglerConfigHome(): string {
  return join(tmpdir(), "portico-wrangler-config");
}

/** wrangler bundles into `.wrangler/tmp` next to the config and leaves the empty directories behind. */
export async function removeEmptyBuildDirectory(config: string): Promise<void> {
  const dotWrangler = join(dirname(config), ".wrangler");
  for (const dir of [join(dotWrangler, "tmp"), dotWrangler]) {
    // Only if empty: state a developer's own `wrangler dev` keeps there stays.
    await rmdir(dir).catch(() => {});
  }
}

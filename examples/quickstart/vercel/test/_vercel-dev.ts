/** The example under `vercel dev --local`, as `pnpm start` runs it, for the e2e tests. */
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startVercelDev, type VercelDev } from "@portico/adapter-vercel/dev";

export const projectDir = join(dirname(fileURLToPath(import.meta.url)), "..");

export function startExample(
  options: { port?: number; env?: Record<string, string>; onOutput?: (text: string) => void } = {},
): Promise<VercelDev> {
  return startVercelDev({
    cwd: projectDir,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.onOutput === undefined ? {} : { onOutput: options.onOutput }),
    env: {
      REQUEST_STATE_SECRET: randomBytes(32).toString("hex"),
      NODE_OPTIONS: "--conditions=@portico/source",
      ...options.env,
    },
  });
}

/**
 * Debian's Chromium (`/usr/bin/chromium`), headless, driven by playwright-core: no browser is ever
 * downloaded. When it is missing, the repository's `scripts/ensure-chromium.sh` installs the
 * Debian package first (it waits on the install lock if another process is installing it).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

const ENSURE = fileURLToPath(new URL("../../../scripts/ensure-chromium.sh", import.meta.url));

/** Runs `scripts/ensure-chromium.sh` unless the binary is there (bounded: 10 minutes). */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  execFileSync("sh", [ENSURE], { stdio: ["ignore", "inherit", "inherit"], timeout: 600_000 });
}

/**
 * Launches headless Chromium with a fresh temporary profile (Playwright makes one per launch and
 * removes it on close). Every `*.test` name resolves to 127.0.0.1, so a page and a server on
 * loopback can have distinct origins (`http://app.test:<port>`, `http://mcp.test:<port>`). Both
 * resolve to loopback, so Chromium's Local/Private Network Access sees no request to a more
 * private address space and asks for nothing (no permission prompt, no PNA preflight).
 * Background networking is off: on a closed network those requests only wait and log.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    timeout: 30_000,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--host-resolver-rules=MAP *.test 127.0.0.1",
    ],
  });
}

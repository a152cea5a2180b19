#!/bin/sh
# Runs the workspace's pinned pnpm with the workspace's pinned Node (24, from the npm registry)
# first on PATH. On a fresh clone (system Node 20 + npm only, no pnpm, no corepack) it bootstraps
# pnpm once through npx; after `pnpm install` both come from node_modules/.bin.
set -e
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
PNPM_VERSION=12.21.0
export PATH="$root/node_modules/.bin:$PATH"
export npm_config_update_notifier=false
if [ -x "$root/node_modules/.bin/pnpm" ]; then
  exec "$root/node_modules/.bin/pnpm" "$@"
fi
exec npx --yes "pnpm@$PNPM_VERSION" "$@"

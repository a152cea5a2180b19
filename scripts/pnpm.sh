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
# Bootstrapping runs on the system's Node: it must be one npm and pnpm still support.
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "${major:-0}" -lt 20 ] 2>/dev/null; then
  echo "Portico needs Node.js 20 or newer to set up (found $(node --version 2>/dev/null || echo 'no node on PATH')): install Node 20+ from https://nodejs.org and run this again; the workspace then brings its own Node 24." >&2
  exit 1
fi
exec npx --yes "pnpm@$PNPM_VERSION" "$@"

#!/bin/sh
# Installs the official AWS Lambda runtime interface client (aws-lambda-ric, pinned by
# examples/quickstart/lambda/ric/package-lock.json) for the integration test that runs the built
# quickstart bundle under it. It lives outside the pnpm workspace on purpose: its install compiles
# libcurl and aws-lambda-cpp (~1 min, needs python3, make, g++, cmake, xz), which the quickstart
# install must neither wait for nor fail on. Idempotent: does nothing once the addon is built.
set -e
root=$(cd -- "$(dirname -- "$0")/.." && pwd)
dir="$root/examples/quickstart/lambda/ric"
[ -f "$dir/node_modules/aws-lambda-ric/rapid-client.node" ] && exit 0

sh "$root/scripts/ensure-apt.sh" python3 make g++ cmake xz:xz-utils

# node-gyp must build offline: point it at the headers of a Node on PATH that ships them (the
# system Node's /usr/include/node). The addon is N-API, so it loads on the pinned Node 24 too.
if [ -z "${npm_config_nodedir:-}" ]; then
  for bin in $(printf '%s' "$PATH" | tr ':' ' '); do
    if [ -x "$bin/node" ] && [ -f "$bin/../include/node/node_api.h" ]; then
      npm_config_nodedir=$(cd -- "$bin/.." && pwd)
      export npm_config_nodedir
      break
    fi
  done
fi

echo "ensure-ric: installing aws-lambda-ric (native build, about a minute)" >&2
cd "$dir"
npm ci --no-audit --no-fund --engine-strict=false --loglevel=error >&2
[ -f "$dir/node_modules/aws-lambda-ric/rapid-client.node" ] || {
  echo "ensure-ric: aws-lambda-ric installed but its native addon is missing" >&2
  exit 1
}

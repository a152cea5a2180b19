#!/bin/sh
# Makes sure `redis-server` is on PATH, installing Debian's `redis-server` package when it is not.
# Idempotent: does nothing (and needs no network) when the binary is already there. The
# @portico/store-redis tests call it when the binary is missing; `npm test` may run it first.
# Only installs; it never starts a server (tests start their own on 127.0.0.1), and it keeps the
# package from starting the system service while it installs.
set -e

if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi

# Several test processes may call this at once: install under a lock; whoever comes second finds
# redis-server installed (the check above runs again inside the lock).
if [ -z "${PORTICO_ENSURE_REDIS_LOCKED:-}" ] && command -v flock >/dev/null 2>&1; then
  PORTICO_ENSURE_REDIS_LOCKED=1 exec flock "${TMPDIR:-/tmp}/portico-ensure-redis.lock" sh "$0" "$@"
fi

fail() {
  echo "ensure-redis: $1" >&2
  echo "ensure-redis: install Redis yourself (e.g. 'apt-get install redis-server') and re-run." >&2
  exit 1
}

command -v apt-get >/dev/null 2>&1 || fail "redis-server is not on PATH and apt-get is not available."

if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  fail "redis-server is not on PATH; installing it needs root (or password-less sudo)."
fi

echo "ensure-redis: redis-server not found, installing Debian's redis-server package" >&2
# Debian starts a package's service on install unless /usr/sbin/policy-rc.d says no (exit 101).
# Where there is none, put one there for the duration of the install only.
POLICY=/usr/sbin/policy-rc.d
if [ ! -e "$POLICY" ]; then
  $SUDO sh -c "printf '#!/bin/sh\nexit 101\n' > $POLICY && chmod 755 $POLICY" || fail "cannot write $POLICY."
  trap '$SUDO rm -f "$POLICY"' EXIT
  trap 'exit 1' INT TERM
fi
$SUDO apt-get update -qq >&2 || fail "apt-get update failed."
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >&2 \
  || fail "apt-get install redis-server failed."

command -v redis-server >/dev/null 2>&1 || fail "redis-server is still not on PATH after installing it."
echo "ensure-redis: $(redis-server --version)" >&2

#!/bin/sh
# `sh scripts/ensure-apt.sh <command>[:<debian package>] ...`: makes sure each command is on PATH,
# installing the Debian package (default: the command's name) of those that are missing.
# Idempotent: does nothing, and needs no network, when everything is there. Installs under a lock
# (several test processes may ask at once) and keeps packages from starting system services.
set -e

missing=""
for spec in "$@"; do
  command="${spec%%:*}"
  package="${spec#*:}"
  command -v "$command" >/dev/null 2>&1 || missing="$missing $package"
done
[ -z "$missing" ] && exit 0

if [ -z "${PORTICO_ENSURE_APT_LOCKED:-}" ] && command -v flock >/dev/null 2>&1; then
  PORTICO_ENSURE_APT_LOCKED=1 exec flock "${TMPDIR:-/tmp}/portico-ensure-apt.lock" sh "$0" "$@"
fi

fail() {
  echo "ensure-apt: $1" >&2
  echo "ensure-apt: install these Debian packages yourself and re-run:$missing" >&2
  exit 1
}

command -v apt-get >/dev/null 2>&1 || fail "apt-get is not available."
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  fail "installing needs root (or password-less sudo)."
fi

echo "ensure-apt: installing$missing" >&2
# Debian starts a package's service on install unless /usr/sbin/policy-rc.d says no (exit 101).
POLICY=/usr/sbin/policy-rc.d
if [ ! -e "$POLICY" ]; then
  $SUDO sh -c "printf '#!/bin/sh\nexit 101\n' > $POLICY && chmod 755 $POLICY" || fail "cannot write $POLICY."
  trap '$SUDO rm -f "$POLICY"' EXIT
  trap 'exit 1' INT TERM
fi
$SUDO apt-get update -qq >&2 || fail "apt-get update failed."
# shellcheck disable=SC2086 # one word per package
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2 \
  || fail "apt-get install failed."

for spec in "$@"; do
  command -v "${spec%%:*}" >/dev/null 2>&1 || fail "${spec%%:*} is still not on PATH."
done

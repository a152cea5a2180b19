#!/bin/sh
# Makes sure `redis-server` is on PATH (Debian's redis-server package). Only installs; tests start
# their own server on 127.0.0.1. The @portico/store-redis tests call it when the binary is missing.
exec sh "$(dirname -- "$0")/ensure-apt.sh" redis-server

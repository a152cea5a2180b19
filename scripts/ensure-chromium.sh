#!/bin/sh
# Makes sure Debian's headless-capable Chromium is installed (/usr/bin/chromium), for the browser
# tests in test/browser (CORS from a real page). playwright-core drives it; no browser download.
exec sh "$(dirname -- "$0")/ensure-apt.sh" chromium

#!/usr/bin/env bash
# The browser tests (tests/browser) drive Debian's Chromium through puppeteer-core (browsers
# cannot be downloaded here): installs the `chromium` package when it is missing. Idempotent.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
command -v chromium >/dev/null

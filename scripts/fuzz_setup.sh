#!/usr/bin/env bash
# Prepares the API fuzzer for tests/fuzz/: a Python virtual environment in .fuzz/venv with
# PyPI schemathesis pinned (it reads /openapi.json and sends generated requests to every
# operation). Idempotent; takes a second when everything is there.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VERSION=4.32.5
venv=$ROOT/.fuzz/venv

if ! command -v python3 >/dev/null; then
  echo "fuzz_setup: python3 is missing (the API fuzzer needs python3 with venv)" >&2
  exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
  mkdir -p "$ROOT/.fuzz"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    # Debian ships venv separately; as root we can add it.
    rm -rf "$venv"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get install -y -q python3-venv >/dev/null
      python3 -m venv "$venv"
    else
      echo "fuzz_setup: python3 -m venv failed; install python3-venv" >&2
      exit 1
    fi
  fi
fi
installed=$("$venv/bin/python" -c \
  'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null || true)
if [ "$installed" != "$VERSION" ]; then
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "schemathesis==$VERSION"
fi

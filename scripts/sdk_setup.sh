#!/usr/bin/env bash
# Prepares the official Coze Loop SDKs for tests/sdk/: a Python virtual environment in
# .sdk/venv with PyPI cozeloop==0.1.28, and the Go module of tests/sdk/go (cozeloop-go v0.1.23)
# downloaded and compiled once. Idempotent; takes a second or two when everything is there.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY_VERSION=0.1.28
venv=$ROOT/.sdk/venv

if ! command -v python3 >/dev/null; then
  echo "sdk_setup: python3 is missing (the Python SDK tests need python3 with venv)" >&2
  exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
  mkdir -p "$ROOT/.sdk"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    # Debian ships venv separately; as root we can add it.
    rm -rf "$venv"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get install -y -q python3-venv >/dev/null
      python3 -m venv "$venv"
    else
      echo "sdk_setup: python3 -m venv failed; install python3-venv" >&2
      exit 1
    fi
  fi
fi
installed=$("$venv/bin/python" -c \
  'import importlib.metadata as m; print(m.version("cozeloop"))' 2>/dev/null || true)
if [ "$installed" != "$PY_VERSION" ]; then
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "cozeloop==$PY_VERSION"
fi

if ! command -v go >/dev/null; then
  echo "sdk_setup: go is missing (the Go SDK tests need the go toolchain)" >&2
  exit 1
fi
cd "$ROOT/tests/sdk/go"
go mod download
# Compiling once fills Go's build cache, so the test's own build takes a second.
go build -o /dev/null .

#!/usr/bin/env bash
# Prepares the official Coze Loop SDKs for tests/sdk/: a Python virtual environment in
# .sdk/venv with PyPI cozeloop==0.1.28, and the Go module of tests/sdk/go (cozeloop-go v0.1.23)
# downloaded and compiled once. Idempotent; takes a second or two when everything is there.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY_VERSION=0.1.28
venv=$ROOT/.sdk/venv

# shellcheck source=_pinned_venv.sh
source "$ROOT/scripts/_pinned_venv.sh"
pinned_venv sdk_setup "$venv" cozeloop "$PY_VERSION"

if ! command -v go >/dev/null; then
  echo "sdk_setup: go is missing (the Go SDK tests need the go toolchain)" >&2
  exit 1
fi
cd "$ROOT/tests/sdk/go"
go mod download
# Compiling once fills Go's build cache, so the test's own build takes a second.
go build -o /dev/null .

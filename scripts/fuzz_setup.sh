#!/usr/bin/env bash
# Prepares the API fuzzer for tests/fuzz/: a Python virtual environment in .fuzz/venv with
# PyPI schemathesis pinned (it reads /openapi.json and sends generated requests to every
# operation). Idempotent; takes a second when everything is there.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VERSION=4.32.5
venv=$ROOT/.fuzz/venv

# shellcheck source=_pinned_venv.sh
source "$ROOT/scripts/_pinned_venv.sh"
pinned_venv fuzz_setup "$venv" schemathesis "$VERSION"

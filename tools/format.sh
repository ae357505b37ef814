#!/usr/bin/env bash
# Apply the automatic style fixes that tools/test.sh checks:
#   ruff format + ruff check --fix (import order, pyupgrade, ...).
# What remains (long strings, pylint-odoo findings) must be fixed by hand.
# Env: CC_PYTHON (default python3).  ruff is pip-installed when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${CC_PYTHON:-python3}"
RUFF_REQ="${CC_RUFF_REQ:-ruff==0.17.6}"
if ! "$PY" -m ruff --version >/dev/null 2>&1; then
    "$PY" -m pip install -q --disable-pip-version-check "$RUFF_REQ"
fi
"$PY" -m ruff format .
"$PY" -m ruff check --fix . || true

#!/usr/bin/env bash
# Create .venv (once) and install sqlgate into it with the given extras.
# Usage: scripts/bootstrap.sh EXTRAS   e.g. scripts/bootstrap.sh test
set -euo pipefail
cd "$(dirname "$0")/.."
extras=${1:?usage: bootstrap.sh EXTRAS}
python=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[${extras}]"

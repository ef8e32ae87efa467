#!/usr/bin/env bash
# The main job on the embedded default: install sqlgate and run the demo (no server, no network).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh demo
.venv/bin/python -m sqlgate.demo "$@"

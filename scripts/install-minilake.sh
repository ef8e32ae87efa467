#!/usr/bin/env bash
# minilake (a local emulator of the Databricks SQL Statement Execution REST API) in its own venv,
# for tests/servers/databricks.py: it pins duckdb < 2, which must not touch .venv's duckdb.
# Idempotent: a no-op when the pinned version is already installed.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.cache/minilake-venv
version=1.9.0
if [[ -x "$venv/bin/minilake" ]] && "$venv/bin/python" -c \
        "import importlib.metadata as m, sys; sys.exit(m.version('minilake') != '$version')" \
        2>/dev/null; then
    echo "install-minilake: minilake $version already installed in $venv" >&2
    exit 0
fi
echo "install-minilake: installing minilake $version into $venv" >&2
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet "minilake==$version"

#!/usr/bin/env bash
# fakesnow (a Snowflake emulator on DuckDB) in its own venv: it pins a DuckDB of its own, which
# must not touch .venv. tests/servers/snowflake.py starts its server mode from here
# (`fakesnow -s -p PORT --host 127.0.0.1`). Idempotent: a fast no-op once installed.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.cache/fakesnow-venv
if [[ -x "$venv/bin/fakesnow" ]] && "$venv/bin/python" -c "import fakesnow.server, fakesnow.cli" 2>/dev/null; then
    echo "install-fakesnow: already installed in $venv" >&2
    exit 0
fi
echo "install-fakesnow: installing fakesnow[server] 0.12.1 into $venv" >&2
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
# fakesnow 0.12.1 imports the connector, whose 5.x lacks the module it needs: pin the 4.8.1
# the tests use in .venv (fakesnow serves clients < 5 only)
"$venv/bin/python" -m pip install --quiet 'fakesnow[server]==0.12.1' \
    'snowflake-connector-python==4.8.1'

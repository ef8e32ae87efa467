#!/usr/bin/env bash
# SQLAlchemy 2.0 in a venv of its own (.cache/sa20-venv), with sqlgate from this checkout and
# the warehouse clients, for the compliance suites on the SQLAlchemy 2.0 line
# (tests/integration/test_warehouse_sqlalchemy_suite.py --python). The main .venv stays on 2.1.
# The clients are pinned to what .venv holds, so only SQLAlchemy differs. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.cache/sa20-venv
probe="import sqlalchemy, sqlgate, pytest, snowflake.connector, google.cloud.bigquery, urllib3
assert sqlalchemy.__version__.startswith('2.0.'), sqlalchemy.__version__"
if [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c "$probe" 2>/dev/null; then
    "$venv/bin/python" -m pip install --quiet --no-deps -e .  # entry points of new sources
    echo "install-sa20: already installed in $venv" >&2
    exit 0
fi
echo "install-sa20: installing SQLAlchemy 2.0 and the warehouse clients into $venv" >&2
python3 -m venv "$venv"
# the versions .venv tested with, SQLAlchemy aside
.venv/bin/python -m pip freeze | grep -iE '^(pyarrow|sqlglot|snowflake-connector-python|google-cloud-bigquery|google-cloud-bigquery-storage|google-auth|requests|urllib3|cryptography|wcwidth|pytest|pytest-timeout|numpy|grpcio|protobuf)==' \
    > "$venv/constraints.txt"
"$venv/bin/python" -m pip install --quiet -c "$venv/constraints.txt" 'sqlalchemy>=2.0,<2.1' \
    pytest pytest-timeout pyarrow sqlglot wcwidth urllib3 cryptography \
    snowflake-connector-python google-cloud-bigquery google-cloud-bigquery-storage google-auth requests
"$venv/bin/python" -m pip install --quiet --no-deps -e .
"$venv/bin/python" -c "$probe"

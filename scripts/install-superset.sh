#!/usr/bin/env bash
# Apache Superset 6.1 (which pins SQLAlchemy < 2) in its own venv, with sqlgate installed into
# it from this checkout, for tests/integration/test_superset.py. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.cache/superset-venv
if [[ -x "$venv/bin/superset" ]] && "$venv/bin/python" -c \
        "import sqlgate, psycopg2, pyiceberg, hudi, wcwidth, pytest, clickhouse_driver, google.cloud.bigquery, snowflake.connector" 2>/dev/null; then
    # sqlgate's own entry points (a new source's dialect or engine spec) are refreshed every time
    "$venv/bin/python" -m pip install --quiet --no-deps -e .
    echo "install-superset: already installed in $venv" >&2
    exit 0
fi
echo "install-superset: installing apache-superset 6.1.0 into $venv" >&2
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet 'apache-superset==6.1.0' rich cachetools \
    'flask-caching==2.3.1' 'psycopg[binary]>=3.1' 'pymysql>=1.0' duckdb deltalake fastavro cramjam \
    pytest pytest-timeout  # pytest: the gate's unit tests also run under Superset's sqlglot
# sqlgate's own dependencies are all in Superset's environment already; --no-deps keeps
# Superset's pins (SQLAlchemy 1.4, its sqlglot) untouched
"$venv/bin/python" -m pip install --quiet --no-deps -e .
# what Superset's own PostgreSQL spec imports (sqlgate[superset]), and the lakehouse formats the
# end-to-end test reads (tests/integration/test_superset_e2e.py); Superset's pins stay as they are
"$venv/bin/python" -m pip freeze | grep -iE '^(sqlalchemy|pyarrow|pandas|numpy|sqlglot)==' \
    > "$venv/constraints.txt"
"$venv/bin/python" -m pip install --quiet -c "$venv/constraints.txt" 'psycopg2-binary>=2.9' \
    'pyiceberg[pyarrow,pyiceberg-core]>=0.12,<0.13' 'hudi>=0.4' 'wcwidth>=0.2'
# ClickHouse's native driver, for Superset's own ClickHouseEngineSpec over clickhouse+sqlgate://
"$venv/bin/python" -m pip install --quiet -c "$venv/constraints.txt" 'clickhouse-driver>=0.2.11'
# google-cloud-bigquery (+ Storage Read API) for bigquery+sqlgate:// under Superset's own
# BigQueryEngineSpec; it adds packages only (no pin of Superset's changes)
"$venv/bin/python" -m pip install --quiet -c "$venv/constraints.txt" 'google-cloud-bigquery>=3.30' \
    'google-cloud-bigquery-storage>=2.27'
# snowflake-connector-python for snowflake+sqlgate:// under Superset's own SnowflakeEngineSpec;
# 4.8.1 is what fakesnow serves (the tests' emulator); it adds packages only
"$venv/bin/python" -m pip install --quiet -c "$venv/constraints.txt" \
    'snowflake-connector-python==4.8.1'

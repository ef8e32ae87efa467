#!/usr/bin/env bash
# bqemulator (a BigQuery REST + Storage Read API emulator on DuckDB) in a venv of its own:
# it pins duckdb 1.5.5, which must not meet .venv's duckdb. The spatial extension DuckDB would
# download at start-up is copied from its pip package into the venv, and the emulator is
# started with HOME pointing there (tests/servers/bigquery.py), so it starts offline. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.cache/bqemulator-venv
ext_dir="$venv/duckdb-home/.duckdb/extensions/v1.5.5/linux_amd64"
if [[ -x "$venv/bin/bqemulator" && -f "$ext_dir/spatial.duckdb_extension" ]]; then
    echo "install-bqemulator: already installed in $venv" >&2
    exit 0
fi
echo "install-bqemulator: installing bqemulator into $venv" >&2
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet 'bqemulator==1.4.0' google-cloud-bigquery numpy \
    'duckdb==1.5.5' 'duckdb-extension-spatial==1.5.5'
mkdir -p "$ext_dir"
src=$("$venv/bin/python" - <<'PY'
import pathlib, duckdb_extension_spatial as m
hits = sorted(pathlib.Path(m.__file__).parent.rglob("spatial.duckdb_extension"))
print(hits[0] if hits else "")
PY
)
if [[ -z "$src" ]]; then
    echo "install-bqemulator: spatial.duckdb_extension not found in duckdb-extension-spatial" >&2
    exit 1
fi
cp "$src" "$ext_dir/spatial.duckdb_extension"
echo "install-bqemulator: installed; spatial extension in $ext_dir" >&2

#!/usr/bin/env bash
# Daft on Ray, the second scale-out candidate measured for issue #17 (benchmarks/spark_engine.py
# --daft), in a venv of its own: ray and daft pin their own pyarrow/numpy ranges, which must not
# move the project's .venv. Idempotent: a no-op when the pinned versions are in place.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.cache/daft-venv
daft=0.7.26
ray=2.59.0
if [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c \
        "import importlib.metadata as m, sys; sys.exit(m.version('daft') != '$daft' or m.version('ray') != '$ray')" \
        2>/dev/null; then
    echo "install-daft: daft $daft and ray $ray already in $venv" >&2
    exit 0
fi
echo "install-daft: installing daft $daft and ray $ray into $venv" >&2
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --cache-dir .cache/pip \
    "daft[ray,deltalake,iceberg]==$daft" "ray[client,data]==$ray" sqlalchemy
echo "install-daft: daft $daft and ray $ray ready in $venv" >&2

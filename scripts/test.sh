#!/usr/bin/env bash
# Install everything the tests need on a fresh Debian 12 machine (apt + pip), then lint and
# run the whole test suite against real throwaway servers. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
bash scripts/bootstrap.sh test
bash scripts/install-superset.sh
# emulators that pin a DuckDB of their own, each in a venv under .cache/
bash scripts/install-fakesnow.sh
bash scripts/install-minilake.sh
bash scripts/install-bqemulator.sh
# JVM servers, jars cached under .cache/m2: Hadoop's mini-cluster (HDFS)
bash scripts/install-hdfs.sh
# Spark Connect (pyspark in its own venv) with the Iceberg and Delta runtime jars
bash scripts/install-spark.sh
# Trino 476 (the second remote engine), the server tarball from the Maven mirror
bash scripts/install-trino.sh
# TiDB (tidb-server on unistore) built from Go modules, modules and build cache under .cache/go-*
bash scripts/install-tidb.sh
# Apache Druid 33.0.0 (its jars and SQL test framework from the Maven mirror) and the small main
# that serves Druid's own SQL resources from them
bash scripts/install-druid.sh
.venv/bin/ruff check sqlgate tests benchmarks
.venv/bin/ruff format --check sqlgate tests benchmarks
.venv/bin/mypy
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"

#!/usr/bin/env bash
# A local Spark Connect server for the scale-out engine (issue #17): pyspark (which ships the
# Spark Connect server jar) in its own venv, plus the Iceberg and Delta runtime jars and S3A
# (hadoop-aws + the AWS SDK bundle, for Delta tables on S3 stores) from Maven Central, cached
# under .cache/. Idempotent: a no-op when everything is in place.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.cache/spark-venv
pyspark=4.0.1
m2=.cache/m2
jars=(
    "org.apache.iceberg:iceberg-spark-runtime-4.0_2.13:1.10.0"
    "io.delta:delta-spark_2.13:4.0.0"
    "io.delta:delta-storage:4.0.0"
    "org.apache.hadoop:hadoop-aws:3.4.1"
    "software.amazon.awssdk:bundle:2.24.6"
)
if ! { [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c \
        "import importlib.metadata as m, sys; sys.exit(m.version('pyspark') != '$pyspark')" \
        2>/dev/null; }; then
    echo "install-spark: installing pyspark $pyspark into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --cache-dir .cache/pip "pyspark[connect]==$pyspark"
fi
for coordinate in "${jars[@]}"; do
    IFS=: read -r group artifact version <<<"$coordinate"
    jar="$m2/${group//.//}/$artifact/$version/$artifact-$version.jar"
    if [[ ! -s "$jar" ]]; then
        echo "install-spark: fetching $coordinate" >&2
        mvn -q dependency:get -Dartifact="$coordinate" -Dtransitive=false -Dmaven.repo.local="$m2"
    fi
done
echo "install-spark: pyspark $pyspark and ${#jars[@]} runtime jars ready" >&2

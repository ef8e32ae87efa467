#!/usr/bin/env bash
# A local Trino 476 server for the scale-out engine (issue #17): the server tarball from the
# Maven mirror (784 MB, cached under .cache/m2) unpacked once under .cache/trino/. Trino 476
# needs Java 24+; the fixture (tests/servers/trino.py) runs it with temurin 25.
# Idempotent: a fast no-op when the unpacked server is in place.
set -euo pipefail
cd "$(dirname "$0")/.."
version=476
m2=.cache/m2
home=.cache/trino/trino-server-$version
java_home=/usr/lib/jvm/temurin-25-jdk-amd64  # tests/servers/trino.py's JAVA_HOME
if [[ ! -x "$java_home/bin/java" ]]; then
    echo "install-trino: no Java 24+ at $java_home (Trino $version needs it): install Temurin 25" >&2
    exit 1
fi
tarball="$m2/io/trino/trino-server/$version/trino-server-$version.tar.gz"
if [[ -x "$home/bin/launcher" && -f "$home/.unpacked" ]]; then
    echo "install-trino: trino-server $version ready in $home" >&2
    exit 0
fi
if [[ ! -s "$tarball" ]]; then
    echo "install-trino: fetching io.trino:trino-server:$version:tar.gz (784 MB)" >&2
    mvn -q dependency:get -Dartifact="io.trino:trino-server:$version:tar.gz" \
        -Dtransitive=false -Dmaven.repo.local="$m2"
fi
echo "install-trino: unpacking into $home" >&2
mkdir -p .cache/trino
rm -rf "$home.tmp" && mkdir -p "$home.tmp"
tar -xzf "$tarball" -C "$home.tmp" --strip-components=1
rm -rf "$home" && mv "$home.tmp" "$home"
touch "$home/.unpacked"
echo "install-trino: trino-server $version ready in $home" >&2

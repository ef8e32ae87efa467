#!/usr/bin/env bash
# A real Apache Druid 33.0.0 query stack for the tests (issue #13): Druid's jars and the test
# jars of its SQL test framework from the Maven mirror (classpath from
# tests/servers/druid_real/pom.xml, jars cached under .cache/m2), plus
# tests/servers/druid_real/DruidSqlServer.java compiled against them into .cache/druid.
# Idempotent: a fast no-op when the class and the classpath are current and every jar is there.
# Needs a JDK 17 (javac) and Maven (mvn).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=.cache/m2
out=.cache/druid
pom=tests/servers/druid_real/pom.xml
src=tests/servers/druid_real/DruidSqlServer.java
java_home=/usr/lib/jvm/java-17-openjdk-amd64  # tests/servers/druid_real.py's JAVA_HOME
jars_present() {
    [[ -s "$out/classpath" ]] || return 1
    local jar
    while IFS= read -r jar; do [[ -s "$jar" ]] || return 1; done < <(tr ':' '\n' < "$out/classpath")
}
if [[ -s "$out/DruidSqlServer.class" && "$out/DruidSqlServer.class" -nt "$src" \
      && "$out/classpath" -nt "$pom" && "$out/classpath" -nt "$0" ]] && jars_present; then
    echo "install-druid: already installed in $out" >&2
    exit 0
fi
if [[ ! -x "$java_home/bin/javac" ]]; then
    echo "install-druid: no JDK 17 at $java_home (apt-get install openjdk-17-jdk-headless)" >&2
    exit 1
fi
command -v mvn >/dev/null || { echo "install-druid: mvn not found (apt-get install maven)" >&2; exit 1; }
mkdir -p "$out"
echo "install-druid: resolving Druid 33.0.0's classpath into $repo (~240 MB the first time)" >&2
if ! JAVA_HOME="$java_home" mvn -q -B -Dstyle.color=never -f "$pom" dependency:build-classpath \
        "-Dmaven.repo.local=$PWD/$repo" "-Dmdep.outputFile=$PWD/$out/classpath.tmp"; then
    echo "install-druid: Maven could not resolve $pom (see the artifact it names above)" >&2
    exit 1
fi
rm -rf "$out/classes.tmp" && mkdir -p "$out/classes.tmp"
if ! "$java_home/bin/javac" -nowarn -encoding UTF-8 -d "$out/classes.tmp" \
        -cp "$(cat "$out/classpath.tmp")" "$src"; then
    echo "install-druid: javac failed on $src" >&2
    exit 1
fi
cp "$out"/classes.tmp/*.class "$out/" && rm -rf "$out/classes.tmp"
mv "$out/classpath.tmp" "$out/classpath"
echo "install-druid: compiled DruidSqlServer into $out" >&2

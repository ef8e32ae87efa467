#!/usr/bin/env bash
# A real HDFS for the tests: hadoop-client-minicluster 3.5.0 (Maven Central, runs on Java 17)
# plus tests/servers/hdfs/MiniHdfs.java compiled against it, all under .cache/hdfs. Idempotent:
# a no-op when the jars and the class are current. Needs a JDK 17 (javac) and Maven (mvn).
set -euo pipefail
cd "$(dirname "$0")/.."
version=3.5.0
repo=.cache/m2
out=.cache/hdfs
src=tests/servers/hdfs/MiniHdfs.java
g=org/apache/hadoop
jars=()
for a in hadoop-client-minicluster hadoop-client-api hadoop-client-runtime; do
    jars+=("$repo/$g/$a/$version/$a-$version.jar")
done
# the shaded client jars leave these unshaded: they come with the minicluster artifact
jars+=("$repo/org/slf4j/slf4j-api/1.7.36/slf4j-api-1.7.36.jar"
       "$repo/commons-logging/commons-logging/1.3.0/commons-logging-1.3.0.jar"
       "$repo/com/google/code/findbugs/jsr305/3.0.2/jsr305-3.0.2.jar"
       "$repo/org/xerial/snappy/snappy-java/1.1.10.4/snappy-java-1.1.10.4.jar")
have_jars=true
for j in "${jars[@]}"; do [[ -s "$j" ]] || have_jars=false; done
if $have_jars && [[ -s "$out/MiniHdfs.class" && "$out/MiniHdfs.class" -nt "$src" && -s "$out/classpath" && "$out/classpath" -nt "$0" ]]; then
    echo "install-hdfs: already installed in $out" >&2
    exit 0
fi
for tool in java javac mvn; do
    command -v "$tool" >/dev/null || { echo "install-hdfs: $tool not found (apt-get install openjdk-17-jdk-headless maven)" >&2; exit 1; }
done
if ! $have_jars; then
    echo "install-hdfs: fetching hadoop-client-minicluster $version into $repo" >&2
    # the minicluster artifact pulls hadoop-client-api and hadoop-client-runtime with it
    mvn -q dependency:get "-Dartifact=org.apache.hadoop:hadoop-client-minicluster:$version" \
        "-Dmaven.repo.local=$repo"
fi
mkdir -p "$out"
cp_str=$(IFS=:; echo "${jars[*]/#/$PWD/}")
javac -nowarn -d "$out" -cp "$cp_str" "$src"
echo "$cp_str" > "$out/classpath"
echo "install-hdfs: compiled MiniHdfs into $out" >&2

#!/usr/bin/env bash
# A real TiDB server for the tidb:// tests (issue #14): tidb-server built from Go modules alone
# (TiDB master of 2025-11-26, commit e4e814fdc0af) into .cache/tidb/bin/tidb-server; the fixture
# (tests/servers/tidb.py) runs it with --store=unistore (single process, no PD/TiKV).
# `go install` refuses TiDB (its go.mod replaces github.com/pingcap/tidb/pkg/parser with
# ./pkg/parser, a directory the module zip leaves out because it has its own go.mod), so the
# script copies the module into a build dir, puts the parser module of the same commit where the
# replace points, and builds there. Modules and the build cache live under .cache/go-* (the CI
# clone copies .cache/). Idempotent: a fast no-op when the binary of this commit is in place.
set -euo pipefail
cd "$(dirname "$0")/.."
commit=e4e814fdc0af
tidb_module="github.com/pingcap/tidb@v1.1.0-beta.0.20251126154744-$commit"
parser_module="github.com/pingcap/tidb/pkg/parser@v0.0.0-20251126154744-$commit"
# No release tag names this commit: the banner says so (8.0.11-TiDB-v0.0.0-master-...).
release="v0.0.0-master-20251126-$commit"
root=.cache/tidb
bin=$root/bin/tidb-server
stamp=$root/bin/.built-$commit
if [[ -x "$bin" && -f "$stamp" ]]; then
    echo "install-tidb: tidb-server ($commit) ready in $bin" >&2
    exit 0
fi
if ! command -v go >/dev/null; then
    echo "install-tidb: no 'go' on PATH (building tidb-server needs Go >= 1.23)" >&2
    exit 1
fi
export GOMODCACHE="$PWD/.cache/go-mod" GOCACHE="$PWD/.cache/go-build" GOTOOLCHAIN=local
export GOFLAGS=-buildvcs=false
fail() {
    echo "install-tidb: $1 failed (GOPROXY=$(go env GOPROXY)); see the output above" >&2
    exit 1
}
module_dir() {
    # `go mod download` outside any module: fetch (or find in GOMODCACHE) one module version;
    # its JSON answer names the directory, or the error (a proxy refusal, say) on failure.
    local answer
    answer=$(cd / && go mod download -json "$1" 2>&1) || { echo "$answer" >&2; return 1; }
    sed -n 's/^\t"Dir": "\(.*\)",$/\1/p' <<<"$answer"
}
echo "install-tidb: fetching $tidb_module and $parser_module" >&2
tidb_dir=$(module_dir "$tidb_module") || fail "go mod download $tidb_module"
parser_dir=$(module_dir "$parser_module") || fail "go mod download $parser_module"
[[ -d "$tidb_dir" && -d "$parser_dir" ]] || fail "locating the downloaded modules"
src=$root/src-$commit
if [[ ! -f "$src/.complete" ]]; then
    echo "install-tidb: preparing the build dir $src" >&2
    rm -rf "$src" "$src.tmp"
    mkdir -p "$root"
    cp -r "$tidb_dir" "$src.tmp"
    chmod -R u+w "$src.tmp"  # the module cache is read-only
    rm -rf "$src.tmp/pkg/parser"
    cp -r "$parser_dir" "$src.tmp/pkg/parser"
    chmod -R u+w "$src.tmp/pkg/parser"
    touch "$src.tmp/.complete"
    mv "$src.tmp" "$src"
fi
echo "install-tidb: building tidb-server (cold ~11 min on 2 busy cores, warm under 1 min)" >&2
mkdir -p "$root/bin"
out="$PWD/$root/bin/tidb-server.tmp"
start=$SECONDS
ldflags="-s -w -X github.com/pingcap/tidb/pkg/parser/mysql.TiDBReleaseVersion=$release"
ldflags+=" -X github.com/pingcap/tidb/pkg/util/versioninfo.TiDBGitHash=$commit"
(cd "$src" && CGO_ENABLED=1 nice -n 10 go build -trimpath -ldflags "$ldflags" \
    -o "$out" ./cmd/tidb-server) || fail "go build ./cmd/tidb-server"
mv "$root/bin/tidb-server.tmp" "$bin"
rm -f "$root"/bin/.built-*
touch "$stamp"
echo "install-tidb: tidb-server ($commit) built in $((SECONDS - start)) s: $bin" >&2

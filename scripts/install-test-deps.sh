#!/usr/bin/env bash
# Install the Debian 12 packages that sqlgate's real-server tests need.
#
# Idempotent: if every package is already installed this is a fast no-op and
# `apt-get update` is not run. Azurite (the Azure Blob emulator, from npm) goes into the
# project-local prefix .cache/npm, skipped when already there. Must run as root. System services are NOT
# started: the tests start their own throwaway servers on 127.0.0.1, so a
# temporary policy-rc.d blocks maintainer scripts from launching daemons.
set -euo pipefail

PACKAGES=(
    postgresql
    mariadb-server
    mariadb-client
    krb5-kdc
    krb5-admin-server
    krb5-user
    libkrb5-dev
    clickhouse-server
    libmariadb-dev
    libpostgresql-jdbc-java   # pgjdbc for tests/integration/gateway/test_pgjdbc.py
    openjdk-17-jdk-headless   # javac for the gateway's pgjdbc test program
    maven                     # fetches Hadoop's mini-cluster and Spark's runtime jars into .cache/m2
)

log() { printf 'install-test-deps: %s\n' "$*" >&2; }

# Azurite for the Azure Blob tests: npm into .cache/npm (git-ignored), where
# tests/servers/azurite.py looks for node_modules/.bin/azurite-blob.
install_azurite() {
    local prefix
    prefix="$(cd "$(dirname "$0")/.." && pwd)/.cache/npm"
    if [[ -x "$prefix/node_modules/.bin/azurite-blob" ]]; then
        log "azurite already installed in $prefix"
        return 0
    fi
    if ! command -v npm >/dev/null 2>&1; then
        log "npm not found: cannot install azurite (install Node.js and npm)"
        return 1
    fi
    log "installing azurite into $prefix"
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error azurite >/dev/null
}

missing=()
for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [[ "$status" != "install ok installed" ]]; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    log "all ${#PACKAGES[@]} packages already installed"
    install_azurite
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    log "must run as root to install: ${missing[*]}"
    exit 1
fi

log "installing: ${missing[*]}"

export DEBIAN_FRONTEND=noninteractive

# Keep package maintainer scripts from starting services (exit 101 = "action
# forbidden" for invoke-rc.d). Never clobber a policy-rc.d that already exists.
POLICY=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e "$POLICY" ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$POLICY"
    chmod 0755 "$POLICY"
    created_policy=1
fi
cleanup() {
    if [[ $created_policy -eq 1 ]]; then
        rm -f "$POLICY"
    fi
}
trap cleanup EXIT

# Another apt/dpkg run (e.g. a parallel CI step) may hold the lock: wait for it.
APT_OPTS=(-o DPkg::Lock::Timeout=600)
apt-get "${APT_OPTS[@]}" update -qq
apt-get "${APT_OPTS[@]}" install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef \
    -o Dpkg::Options::=--force-confold \
    "${missing[@]}" >/dev/null

# Verify: fail loudly if anything is still missing.
for pkg in "${missing[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    if [[ "$status" != "install ok installed" ]]; then
        log "FAILED to install $pkg (status: ${status:-unknown})"
        exit 1
    fi
done
log "done"
install_azurite

#!/usr/bin/env bash
# Builds the Temporal CLI (real server + SQLite + Web UI) from the Go module proxy into a per-user
# cache keyed by version. Idempotent: a cached build is reused. Prints the binary path on stdout.
# Why v1.5.1: later tags carry a `replace` directive that `go install pkg@version` refuses.
set -euo pipefail

TEMPORAL_CLI_VERSION="${TEMPORAL_CLI_VERSION:-v1.5.1}"
CACHE_ROOT="${CUWO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cuwo}"
BIN_DIR="$CACHE_ROOT/temporal-cli/$TEMPORAL_CLI_VERSION"
BIN="$BIN_DIR/temporal"

log() { printf '[temporal-cli] %s\n' "$*" >&2; }

if [ -x "$BIN" ] && "$BIN" --version >/dev/null 2>&1; then
  log "using cached build $BIN"
  echo "$BIN"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  log "error: the Go toolchain is not installed (need go >= 1.25 to build the Temporal CLI $TEMPORAL_CLI_VERSION)."
  log "install Go (https://go.dev/doc/install or 'apt-get install golang') and run this again."
  exit 1
fi

log "building github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION with $(go version | cut -d' ' -f3) (first time only, a few minutes)"
mkdir -p "$BIN_DIR"
tmp="$(mktemp -d "$BIN_DIR/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
# -x would flood the terminal; module download progress is shown by go itself on stderr.
CGO_ENABLED=0 GOBIN="$tmp" \
  go install -ldflags "-s -w" "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION"
mv "$tmp/temporal" "$BIN"   # atomic within one filesystem: a concurrent run never sees half a binary
log "built $("$BIN" --version) in $(( $(date +%s) - start ))s -> $BIN"
echo "$BIN"

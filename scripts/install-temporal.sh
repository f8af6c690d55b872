#!/usr/bin/env bash
# Builds the Temporal binaries the project runs from ONE Go module, deploy/temporal (go.mod pins the
# versions; tools.go names the binaries), with the machine's Go toolchain and the Go module proxy, into
# a per-user cache keyed by those versions. Idempotent: a cached build is reused. Progress on stderr.
#
#   bash scripts/install-temporal.sh             the Temporal CLI (`temporal server start-dev`: server +
#                                                SQLite + Web UI). Prints its path as the last stdout line.
#   bash scripts/install-temporal.sh --cluster   also the server (all four services), the SQL schema tool
#                                                and the Web UI server, for `npm run cluster`. Prints one
#                                                `name=path` line per binary on stdout:
#                                                  temporal=...  temporal-server=...  temporal-sql-tool=...
#                                                  temporal-ui-server=...
#   bash scripts/install-temporal.sh --versions  prints the pinned versions (`cli=v1.5.1` ...) and exits.
#
# The binaries share most of their packages (the CLI embeds the server and the UI server): the Go build
# cache compiles them once, so the cluster build after the CLI build mostly links.
# Why CLI v1.5.1: later tags carry a `replace` directive (cliext); v1.5.1 runs server v1.29.1, UI 2.42.1.
set -euo pipefail

# Bash builtins only until Go is found: the error for a missing toolchain must work on any PATH.
script_dir="${BASH_SOURCE[0]%/*}"
[ "$script_dir" != "${BASH_SOURCE[0]}" ] || script_dir=.
MODULE_DIR="$(cd "$script_dir/../deploy/temporal" && pwd)"
log() { printf '[temporal-build] %s\n' "$*" >&2; }

# The version go.mod requires of module $1.
pinned() {
  local module version _
  while read -r module version _; do
    if [ "$module" = "$1" ]; then
      printf '%s\n' "$version"
      return
    fi
  done <"$MODULE_DIR/go.mod"
}
CLI_VERSION="$(pinned github.com/temporalio/cli)"
SERVER_VERSION="$(pinned go.temporal.io/server)"
UI_VERSION="$(pinned github.com/temporalio/ui-server/v2)"
if [ -z "$CLI_VERSION" ] || [ -z "$SERVER_VERSION" ] || [ -z "$UI_VERSION" ]; then
  log "error: $MODULE_DIR/go.mod does not pin the CLI, the server and the UI server"
  exit 1
fi

mode=cli
case "${1:-}" in
  '') ;;
  --cluster) mode=cluster ;;
  --versions)
    printf 'cli=%s\nserver=%s\nui-server=%s\n' "$CLI_VERSION" "$SERVER_VERSION" "$UI_VERSION"
    exit 0
    ;;
  -h | --help)
    sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    log "unknown option $1 (see --help)"
    exit 2
    ;;
esac

CACHE_ROOT="${CUWO_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cuwo}"
# The CLI embeds the server and the UI server: all three versions decide what it is.
BIN_DIR="$CACHE_ROOT/temporal/cli-$CLI_VERSION-server-$SERVER_VERSION-ui-$UI_VERSION"

# name|package|extra link flags
TARGETS=("temporal|github.com/temporalio/cli/cmd/temporal|-X github.com/temporalio/cli/temporalcli.Version=${CLI_VERSION#v}")
if [ "$mode" = cluster ]; then
  TARGETS+=(
    "temporal-server|go.temporal.io/server/cmd/server|"
    "temporal-sql-tool|go.temporal.io/server/cmd/tools/sql|"
    "temporal-ui-server|github.com/temporalio/ui-server/v2/cmd/server|"
  )
fi

cached() {
  local bin="$BIN_DIR/$1"
  [ -x "$bin" ] || return 1
  # The CLI is asked for its version as before; the others are moved into place whole (see below).
  [ "$1" != temporal ] || "$bin" --version >/dev/null 2>&1
}

missing=()
for target in "${TARGETS[@]}"; do
  name="${target%%|*}"
  cached "$name" || missing+=("$target")
done

if [ "${#missing[@]}" -gt 0 ]; then
  if ! command -v go >/dev/null 2>&1; then
    log "error: the Go toolchain is not installed (need go >= 1.25 to build Temporal CLI $CLI_VERSION / server $SERVER_VERSION)."
    log "install Go (https://go.dev/doc/install or 'apt-get install golang') and run this again."
    exit 1
  fi
  mkdir -p "$BIN_DIR"
  tmp="$(mktemp -d "$BIN_DIR/.build.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  log "building from $MODULE_DIR with $(go version | cut -d' ' -f3) (first time only, a few minutes; module downloads and compiled packages are cached by Go)"
  for target in "${missing[@]}"; do
    IFS='|' read -r name package ldflags <<<"$target"
    start=$(date +%s)
    log "building $name ($package) ..."
    # -buildvcs=false: the module sits inside the project's git checkout; its state is not the binary's.
    (cd "$MODULE_DIR" && CGO_ENABLED=0 go build -buildvcs=false -ldflags "-s -w $ldflags" -o "$tmp/$name" "$package")
    mv "$tmp/$name" "$BIN_DIR/$name" # atomic within one filesystem: a concurrent run never sees half a binary
    log "built $name in $(($(date +%s) - start))s ($(du -m "$BIN_DIR/$name" | cut -f1) MiB) -> $BIN_DIR/$name"
  done
else
  log "using cached build in $BIN_DIR"
fi

if [ "$mode" = cluster ]; then
  for target in "${TARGETS[@]}"; do
    name="${target%%|*}"
    echo "$name=$BIN_DIR/$name"
  done
else
  echo "$BIN_DIR/temporal"
fi

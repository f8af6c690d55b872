#!/usr/bin/env bash
# Installs what a fresh clone lacks, once, with progress: the npm packages (again whenever
# package-lock.json changes) and the Temporal CLI build. `npm test`, `npm run demo` and `npm run dev` call it.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[bootstrap] installing npm packages (locked versions)..." >&2
  # `npm install`, not `npm ci`: npm 11 leaves other platforms' optional packages (@swc/core-*) out of
  # the lock file and `npm ci` then refuses it; with the lock file present, install gives the same tree.
  npm install --no-audit --no-fund
fi
bash scripts/install-temporal.sh >/dev/null

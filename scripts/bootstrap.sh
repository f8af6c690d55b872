#!/usr/bin/env bash
# Installs what a fresh clone lacks, once, with progress: the npm packages (again whenever
# package-lock.json changes) and the Temporal CLI build. `npm test`, `npm run demo` and `npm run dev` call it.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[bootstrap] installing npm packages (npm ci)..." >&2
  npm ci --no-audit --no-fund
fi
bash scripts/install-temporal.sh >/dev/null

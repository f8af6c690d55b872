#!/bin/sh
# Creates the Temporal server's two PostgreSQL databases and brings their schemas up to the version the
# pinned server needs (the schemas are embedded in the schema tool). Idempotent: on existing databases
# it only applies newer schema versions. Run by `npm run cluster` (src/dev/cluster.ts) and by the
# docker-compose `temporal` service (entrypoint.sh), with the environment of config/temporal.yaml:
#   POSTGRES_SEEDS, DB_PORT, POSTGRES_USER, POSTGRES_PWD, DB, DBNAME, VISIBILITY_DBNAME
#   TEMPORAL_SQL_TOOL   the schema tool (default: temporal-sql-tool on PATH)
set -eu

tool="${TEMPORAL_SQL_TOOL:-temporal-sql-tool}"
export SQL_PLUGIN="${DB:-postgres12}"
export SQL_HOST="${POSTGRES_SEEDS:-127.0.0.1}"
export SQL_PORT="${DB_PORT:-5432}"
export SQL_USER="${POSTGRES_USER:-temporal}"
export SQL_PASSWORD="${POSTGRES_PWD:-}"

setup() {
  "$tool" --db "$1" create-database
  "$tool" --db "$1" setup-schema -v 0.0
  "$tool" --db "$1" update-schema --schema-name "$2"
}

setup "${DBNAME:-temporal}" postgresql/v12/temporal
setup "${VISIBILITY_DBNAME:-temporal_visibility}" postgresql/v12/visibility

#!/bin/sh
# The docker-compose `temporal` service: the same steps as `npm run cluster` (src/dev/cluster.ts) with
# the same files: schemas (setup-schema.sh), the server with config/temporal.yaml (all four services),
# then the `default` namespace. The worker registers the search attributes (CUWO_CREATE_SEARCH_ATTRIBUTES).
set -eu

: "${BIND_ON_IP:=$(hostname -i | awk '{print $1}')}"
: "${FRONTEND_GRPC_PORT:=7233}"
: "${DEFAULT_NAMESPACE:=default}"
: "${DEFAULT_NAMESPACE_RETENTION:=72h}"
export BIND_ON_IP FRONTEND_GRPC_PORT
address="$BIND_ON_IP:$FRONTEND_GRPC_PORT"

tries=0
until /etc/temporal/setup-schema.sh; do
  tries=$((tries + 1))
  [ "$tries" -lt 30 ] || { echo "schema setup failed 30 times" >&2; exit 1; }
  echo "PostgreSQL not ready yet, retrying the schema setup..." >&2
  sleep 2
done

temporal-server --root /etc/temporal --config config --env temporal --allow-no-auth start &
server=$!
trap 'kill -TERM "$server" 2>/dev/null' TERM INT

until temporal operator cluster health --address "$address" 2>/dev/null | grep -q SERVING; do
  kill -0 "$server" 2>/dev/null || { wait "$server"; exit $?; }
  sleep 1
done
if ! temporal operator namespace describe --address "$address" --namespace "$DEFAULT_NAMESPACE" >/dev/null 2>&1; then
  temporal operator namespace create --address "$address" --namespace "$DEFAULT_NAMESPACE" --retention "$DEFAULT_NAMESPACE_RETENTION"
fi
echo "Temporal server ready at $address, namespace $DEFAULT_NAMESPACE" >&2

# Wait for the server; a TERM or INT is passed on to it (the trap) and this waits again for its exit.
status=0
while kill -0 "$server" 2>/dev/null; do wait "$server" || status=$?; done
exit "$status"

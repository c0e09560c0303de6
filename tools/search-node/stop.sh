#!/usr/bin/env bash
# Stop the node started by run.sh on PORT (default 9200), by its PID file.
set -euo pipefail
port="${1:-${VIGIE_SEARCH_NODE_PORT:-9200}}"
state="${VIGIE_SEARCH_NODE_STATE:-/tmp/vigie-search-node-$port}"
pidfile="$state/node.pid"
if [[ ! -f "$pidfile" ]]; then
  echo "Aucun nœud enregistré dans $pidfile" >&2
  exit 0
fi
pid="$(cat "$pidfile")"
if kill -0 "$pid" 2>/dev/null; then
  kill "$pid"
  for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
fi
rm -f "$pidfile"

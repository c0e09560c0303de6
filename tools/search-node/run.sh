#!/usr/bin/env bash
# Start a single-node OpenSearch (Maven Central jars) in the background and print its URL.
#   tools/search-node/run.sh [PORT]        (default 9200, or $VIGIE_SEARCH_NODE_PORT)
# Builds the jar on first use (mvn -q package). State (PID, log, data) lives in
# $VIGIE_SEARCH_NODE_STATE (default /tmp/vigie-search-node-PORT); each start wipes the data.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
port="${1:-${VIGIE_SEARCH_NODE_PORT:-9200}}"
state="${VIGIE_SEARCH_NODE_STATE:-/tmp/vigie-search-node-$port}"
heap="${VIGIE_SEARCH_NODE_HEAP:-512m}"
if [[ -z "${JAVA_HOME:-}" && -d /usr/lib/jvm/java-17-openjdk-amd64 ]]; then
  export JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
fi
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"

jar="$here/target/search-node.jar"
if [[ ! -f "$jar" || ! -d "$here/target/lib" || -n "$(find "$here/src" "$here/pom.xml" -newer "$jar" 2>/dev/null)" ]]; then
  echo "Construction du nœud OpenSearch (mvn -q package)…" >&2
  (cd "$here" && mvn -q -B package -DskipTests) >&2
fi

pidfile="$state/node.pid"
if [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  echo "Un nœud tourne déjà (PID $(cat "$pidfile")) ; arrêtez-le avec stop.sh $port" >&2
  exit 1
fi
# another node (or anything) on this port would answer our health check: refuse to start
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "Le port $port est déjà utilisé ; choisissez-en un autre : run.sh PORT" >&2
  exit 1
fi
rm -rf "$state/home"
mkdir -p "$state/home"
nohup "$java_bin" "-Xms$heap" "-Xmx$heap" -XX:+UseG1GC -Djava.io.tmpdir="$state/home" \
  -jar "$jar" --port "$port" --home "$state/home" >"$state/node.log" 2>&1 &
echo $! >"$pidfile"

url="http://127.0.0.1:$port"
for _ in $(seq 1 180); do
  if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "Le nœud OpenSearch s'est arrêté au démarrage ; journal : $state/node.log" >&2
    tail -20 "$state/node.log" >&2
    exit 1
  fi
  if curl -fs "$url/_cluster/health?wait_for_status=yellow&timeout=1s" >/dev/null 2>&1; then
    echo "$url"
    exit 0
  fi
  sleep 1
done
echo "Le nœud OpenSearch n'est pas prêt après 180 s ; journal : $state/node.log" >&2
exit 1

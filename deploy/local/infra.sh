#!/usr/bin/env bash
# Real Apache Kafka (KRaft, single node, jars from Maven Central) and SecantusDB
# (a MongoDB-wire server from PyPI) on this machine, without Docker.
#
#   deploy/local/infra.sh install        fetch Kafka jars, the SecantusDB venv and Prometheus
#                                        (Debian's package, unpacked without root) into the cache
#   deploy/local/infra.sh promtool-path|prometheus-path
#                                        print the cached binary (exit 1 if not installed)
#   deploy/local/infra.sh up|down|status start, stop or check the servers of RUN_DIR
#   deploy/local/infra.sh with CMD...    start servers, run CMD with KAFKA_BOOTSTRAP and
#                                        MONGO_URI exported, stop what it started
#
# Knobs: KAFKA_PORT (9092) KAFKA_CTRL_PORT (9093) MONGO_PORT (27017) RUN_DIR KAFKA_VERSION
#        CACHE_DIR (~/.cache/gegenstrom) PROMETHEUS=0 (no Prometheus). If KAFKA_BOOTSTRAP and
#        MONGO_URI are already set, `with` starts nothing and uses those servers.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_DIR="${CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/gegenstrom}"
KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
SECANTUS_VERSION="0.7.0b3"
KAFKA_PORT="${KAFKA_PORT:-9092}"; KAFKA_CTRL_PORT="${KAFKA_CTRL_PORT:-9093}"
MONGO_PORT="${MONGO_PORT:-27017}"
RUN_DIR="${RUN_DIR:-${TMPDIR:-/tmp}/gegenstrom-infra-$KAFKA_PORT}"
KLIB="$CACHE_DIR/kafka-$KAFKA_VERSION/libs"
SECANTUS_VENV="$CACHE_DIR/venv-secantus-$SECANTUS_VERSION"
PY="${PY:-$HERE/../../.venv/bin/python}"   # the project venv (aiokafka, pymongo)
log() { echo "[infra] $*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
stop_pidfile() { # pidfile grace_s
  alive "$1" || { rm -f "$1"; return 0; }
  local pid; pid="$(cat "$1")"; kill -TERM "$pid" 2>/dev/null
  local end=$((SECONDS + $2))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < end)); do sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  rm -f "$1"
}

install_kafka() {
  [ -f "$KLIB/.complete" ] && return 0
  log "resolving Apache Kafka $KAFKA_VERSION from Maven Central into $KLIB"
  rm -rf "$KLIB"; mkdir -p "$KLIB"
  mvn -q -B -Dstyle.color=never -f "$HERE/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    org.apache.maven.plugins:maven-dependency-plugin:3.11.0:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KLIB" || return 1
  touch "$KLIB/.complete"
}
install_secantus() {
  [ -x "$SECANTUS_VENV/bin/secantusd-py" ] && return 0
  log "installing SecantusDB $SECANTUS_VERSION into its own venv $SECANTUS_VENV"
  rm -rf "$SECANTUS_VENV"
  python3 -m venv "$SECANTUS_VENV" && "$SECANTUS_VENV/bin/pip" -q install "secantusdb==$SECANTUS_VERSION"
}

# Prometheus and promtool from Debian's `prometheus` package: `apt-get download` needs no
# root; the binaries need only libc. Optional for `make run`; the rule tests need promtool.
prometheus_home() { # the newest complete unpacked package, if any
  local m; m="$(ls -d "$CACHE_DIR"/prometheus-*/.complete 2>/dev/null | sort -V | tail -1)"
  [ -n "$m" ] && dirname "$m"
}
install_prometheus() {
  [ "${PROMETHEUS:-1}" = 0 ] && return 0
  prometheus_home >/dev/null && return 0
  if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
    log "WARNING: no apt-get/dpkg-deb here, Prometheus and promtool are not installed."
    log "  make run works without them; the rule tests need promtool: install it yourself"
    log "  and set PROMTOOL=/path/to/promtool (or put it on PATH)."
    return 0
  fi
  local tmp; tmp="$(mktemp -d)"; chmod 755 "$tmp"
  local aptopts=() version
  version="$(apt-cache policy prometheus 2>/dev/null | awk '/Candidate:/ {print $2}')"
  if [ -z "$version" ] || [ "$version" = "(none)" ]; then
    # no package lists on this machine: fetch them into a private dir (no root, no lock)
    log "no apt package lists for prometheus; fetching them into $tmp (no root needed)"
    mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial"
    aptopts=(-o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache" -o Debug::NoLocking=1)
    apt-get -qq "${aptopts[@]}" update >"$tmp/update.out" 2>&1 || cat "$tmp/update.out" >&2
    version="$(apt-cache "${aptopts[@]}" policy prometheus 2>/dev/null | awk '/Candidate:/ {print $2}')"
  fi
  if [ -z "$version" ] || [ "$version" = "(none)" ]; then
    log "ERROR: apt knows no 'prometheus' package; Prometheus and promtool are not installed."
    rm -rf "$tmp"; return 1
  fi
  local dest="$CACHE_DIR/prometheus-$version"
  log "fetching Debian's prometheus $version (apt-get download, no root) into $dest"
  (cd "$tmp" && apt-get -qq "${aptopts[@]}" download "prometheus=$version") >"$tmp/download.out" 2>&1
  local deb; deb="$(ls "$tmp"/prometheus_*.deb 2>/dev/null | head -1)"
  if [ -z "$deb" ]; then
    cat "$tmp/download.out" >&2; log "ERROR: apt-get download prometheus failed"
    rm -rf "$tmp"; return 1
  fi
  rm -rf "$dest"; mkdir -p "$dest"
  dpkg-deb -x "$deb" "$dest" && "$dest/usr/bin/promtool" --version >/dev/null 2>&1 \
    || { log "ERROR: unpacking $deb or running its promtool failed"; rm -rf "$tmp" "$dest"; return 1; }
  # The web UI links its JavaScript from Debian's libjs-* packages (relative symlinks into
  # usr/share/javascript): unpack them next to it. Best effort; the server runs without.
  local js; js="$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | awk '$1 ~ /^(libjs-|fonts-)/ {print $1}') libjs-d3"
  mkdir -p "$tmp/js"
  # shellcheck disable=SC2086
  if (cd "$tmp/js" && apt-get -qq "${aptopts[@]}" download $js) >"$tmp/js.out" 2>&1; then
    for f in "$tmp"/js/*.deb; do dpkg-deb -x "$f" "$dest"; done
  else
    log "WARNING: the web UI's JavaScript packages did not download; the UI may look broken"
  fi
  rm -rf "$tmp"
  touch "$dest/.complete"
}
tool_path() { # prometheus|promtool
  local home; home="$(prometheus_home)" && [ -x "$home/usr/bin/$1" ] || return 1
  echo "$home/usr/bin/$1"
}

kafka_up() {
  local d="$RUN_DIR/kafka"
  alive "$d/pid" && { log "kafka already running on $KAFKA_PORT"; return 0; }
  port_open "$KAFKA_PORT" && { log "port $KAFKA_PORT is taken by another process"; return 1; }
  install_kafka || return 1
  mkdir -p "$d/data"
  sed -e "s#@KAFKA_PORT@#$KAFKA_PORT#g" -e "s#@CTRL_PORT@#$KAFKA_CTRL_PORT#g" -e "s#@DATA@#$d/data#g" \
    "$HERE/kafka/server.properties.in" > "$d/server.properties"
  local jopts=(-Xms256m -Xmx768m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData
               -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true
               -Dlog4j2.configurationFile="$HERE/kafka/log4j2.properties")
  java "${jopts[@]}" -cp "$KLIB/*" kafka.tools.StorageTool format --ignore-formatted \
    -t "${KAFKA_CLUSTER_ID:-R2VnZW5zdHJvbUthZmthMQ}" -c "$d/server.properties" >"$d/format.out" 2>&1 \
    || { cat "$d/format.out" >&2; return 1; }
  local t0=$SECONDS
  nohup java "${jopts[@]}" -cp "$KLIB/*" kafka.Kafka "$d/server.properties" >"$d/kafka.out" 2>&1 </dev/null &
  echo $! > "$d/pid"
  local end=$((SECONDS + 120))
  until grep -q "Kafka Server started" "$d/kafka.out" 2>/dev/null; do
    alive "$d/pid" && ((SECONDS < end)) || { tail -40 "$d/kafka.out" >&2; return 1; }
    sleep 0.2
  done
  log "kafka $KAFKA_VERSION started on 127.0.0.1:$KAFKA_PORT in $((SECONDS - t0))s"
}

mongo_up() {
  local d="$RUN_DIR/mongo"
  alive "$d/pid" && { log "secantusdb already running on $MONGO_PORT"; return 0; }
  port_open "$MONGO_PORT" && { log "port $MONGO_PORT is taken by another process"; return 1; }
  install_secantus || return 1
  mkdir -p "$d/data"
  nohup "$SECANTUS_VENV/bin/secantusd-py" --host 127.0.0.1 --port "$MONGO_PORT" \
    --storage-path "$d/data" --log-level WARNING >"$d/mongo.out" 2>&1 </dev/null &
  echo $! > "$d/pid"
  local end=$((SECONDS + 60))
  until port_open "$MONGO_PORT"; do
    alive "$d/pid" && ((SECONDS < end)) || { tail -40 "$d/mongo.out" >&2; return 1; }
    sleep 0.2
  done
  log "secantusdb started on 127.0.0.1:$MONGO_PORT"
}

health() { # functional probe: produce to Kafka, write to MongoDB
  "$PY" "$HERE/healthcheck.py" "127.0.0.1:$KAFKA_PORT" "mongodb://127.0.0.1:$MONGO_PORT"
}

up() {
  mkdir -p "$RUN_DIR"
  kafka_up && mongo_up && health || { down; return 1; }
  log "ready: KAFKA_BOOTSTRAP=127.0.0.1:$KAFKA_PORT MONGO_URI=mongodb://127.0.0.1:$MONGO_PORT (logs in $RUN_DIR)"
}
down() {
  stop_pidfile "$RUN_DIR/kafka/pid" 30
  stop_pidfile "$RUN_DIR/mongo/pid" 20
  [ "${KEEP_RUN_DIR:-0}" = 1 ] || rm -rf "$RUN_DIR"
}
status() {
  local rc=0
  alive "$RUN_DIR/kafka/pid" && log "kafka up on $KAFKA_PORT" || { log "kafka down"; rc=1; }
  alive "$RUN_DIR/mongo/pid" && log "secantusdb up on $MONGO_PORT" || { log "secantusdb down"; rc=1; }
  ((rc == 0)) && health && log "health check passed"
}

with() {
  if [ -n "${KAFKA_BOOTSTRAP:-}" ] && [ -n "${MONGO_URI:-}" ]; then
    log "using external servers KAFKA_BOOTSTRAP=$KAFKA_BOOTSTRAP MONGO_URI=$MONGO_URI"
    "$@"; return
  fi
  trap 'down' EXIT
  trap 'exit 130' INT TERM
  up || return 1
  export KAFKA_BOOTSTRAP="127.0.0.1:$KAFKA_PORT" MONGO_URI="mongodb://127.0.0.1:$MONGO_PORT"
  "$@"
}

case "${1:-}" in
  install) install_kafka && install_secantus && {
             install_prometheus \
               || log "WARNING: no Prometheus; make run works without, the rule tests fail"; } ;;
  promtool-path) tool_path promtool ;;
  prometheus-path) tool_path prometheus ;;
  up) up ;;
  down) down ;;
  status) status ;;
  with) shift; with "$@" ;;
  *) echo "usage: $0 install|up|down|status|with CMD...|promtool-path|prometheus-path" >&2; exit 2 ;;
esac

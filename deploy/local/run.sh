#!/usr/bin/env bash
# Runs the four services in the foreground against KAFKA_BOOTSTRAP and MONGO_URI (as set
# by `infra.sh with`), prints their URLs, and stops all of them on Ctrl-C or when one dies.
# When `infra.sh install` has put Prometheus into the cache, it also runs a local Prometheus
# on PROMETHEUS_PORT (9090) with deploy/prometheus/ (PROMETHEUS=0 skips it).
set -uo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PY="$REPO/.venv/bin/python"
RUN_DIR="${RUN_DIR:-$REPO/.run/local}"
PROMETHEUS_PORT="${PROMETHEUS_PORT:-9090}"
declare -A PORTS=([intake]=8001 [profiling]=8002 [training_match]=8003 [notification]=8004)
pids=()
prom_pid=""
prom_info="not running (deploy/local/infra.sh install fetches it)"

stop_all() {
  trap - INT TERM EXIT
  echo "[run] stopping services"
  kill -TERM "${pids[@]}" $prom_pid 2>/dev/null
  wait "${pids[@]}" $prom_pid 2>/dev/null
}

start_prometheus() { # optional: a missing or failing Prometheus never stops the services
  [ "${PROMETHEUS:-1}" = 0 ] && { prom_info="off (PROMETHEUS=0)"; return 0; }
  local bin home out="$RUN_DIR/prometheus.out"
  bin="$("$REPO/deploy/local/infra.sh" prometheus-path 2>/dev/null)" || return 0
  if (exec 3<>"/dev/tcp/127.0.0.1/$PROMETHEUS_PORT") 2>/dev/null; then
    prom_info="not started: port $PROMETHEUS_PORT is taken (PROMETHEUS_PORT=... picks another)"
    return 0
  fi
  home="$(cd "$(dirname "$bin")/../.." && pwd)"   # the unpacked Debian package
  mkdir -p "$RUN_DIR/prometheus"
  "$bin" --config.file="$REPO/deploy/prometheus/prometheus.yml" \
    --storage.tsdb.path="$RUN_DIR/prometheus" \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" \
    --web.local-assets="$home/usr/share/prometheus/web/" \
    --web.console.templates="$home/etc/prometheus/consoles" \
    --web.console.libraries="$home/etc/prometheus/console_libraries" \
    >"$out" 2>&1 </dev/null &
  prom_pid=$!
  local end=$((SECONDS + 30))
  until curl -sf "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" >/dev/null; do
    if ! kill -0 "$prom_pid" 2>/dev/null || ((SECONDS >= end)); then
      echo "[run] Prometheus did not start; the services keep running. Its log:" >&2
      tail -20 "$out" >&2
      kill -TERM "$prom_pid" 2>/dev/null; prom_pid=""
      prom_info="failed to start, see $out"
      return 0
    fi
    sleep 0.3
  done
  prom_info="http://127.0.0.1:$PROMETHEUS_PORT/alerts   (targets: /targets, log: $out)"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

for service in intake profiling training_match notification; do
  prefix="$(tr '[:lower:]' '[:upper:]' <<<"$service")_"
  env "${prefix}KAFKA_BOOTSTRAP=$KAFKA_BOOTSTRAP" "${prefix}MONGO_URI=$MONGO_URI" \
      "${prefix}HTTP_PORT=${PORTS[$service]}" "$PY" -m "$service" &
  pids+=($!)
done

for service in "${!PORTS[@]}"; do
  url="http://127.0.0.1:${PORTS[$service]}"
  until curl -sf "$url/readyz" >/dev/null; do
    sleep 0.3
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "[run] a service died" >&2; exit 1; }; done
  done
done

start_prometheus

if [ "${DEMO:-1}" = 1 ]; then
  echo "[run] loading the demo company (DEMO=0 make run skips this)"
  GEGENSTROM_INTAKE_URL=http://127.0.0.1:8001 "$REPO/.venv/bin/gegenstrom" demo load \
    || echo "[run] demo load failed; the services keep running" >&2
fi

cat <<INFO
[run] gegenstrom is up. Ctrl-C stops everything.
  intake          http://127.0.0.1:8001/docs   (POST /v1/employee-inputs)
  profiling       http://127.0.0.1:8002/readyz
  training-match  http://127.0.0.1:8003/readyz
  notification    http://127.0.0.1:8004/docs   (GET /v1/inbox/{employee_id})
  metrics         http://127.0.0.1:800[1-4]/metrics
  Prometheus      $prom_info
  tokens          .venv/bin/gegenstrom token demo-hr --role hr   (development secret)
  Kafka           $KAFKA_BOOTSTRAP
  MongoDB         $MONGO_URI
INFO
wait -n "${pids[@]}"
exit 1  # Ctrl-C, or a service died: the EXIT trap stops the rest

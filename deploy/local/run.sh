#!/usr/bin/env bash
# Runs the four services in the foreground against KAFKA_BOOTSTRAP and MONGO_URI (as set
# by `infra.sh with`), prints their URLs, and stops all of them on Ctrl-C or when one dies.
set -uo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PY="$REPO/.venv/bin/python"
declare -A PORTS=([intake]=8001 [profiling]=8002 [training_match]=8003 [notification]=8004)
pids=()

stop_all() {
  trap - INT TERM EXIT
  echo "[run] stopping services"
  kill -TERM "${pids[@]}" 2>/dev/null
  wait "${pids[@]}" 2>/dev/null
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
  tokens          .venv/bin/gegenstrom token demo-hr --role hr   (development secret)
  Kafka           $KAFKA_BOOTSTRAP
  MongoDB         $MONGO_URI
INFO
wait -n "${pids[@]}"
exit 1  # Ctrl-C, or a service died: the EXIT trap stops the rest

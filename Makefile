# gegenstrom: `make setup` once, then `make run` or `make test`.
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
INFRA := deploy/local/infra.sh

.PHONY: setup run test lint format schemas infra-up infra-down clean bench bench-profiling bench-engine \
	test-alerts dashboard-pictures

setup: ## Python deps (uv, one lock file), Kafka jars, SecantusDB and Prometheus into ~/.cache/gegenstrom
	@command -v uv >/dev/null 2>&1 || [ -x "$(UV)" ] || python3 -m pip install --user -q "uv==$(UV_VERSION)"
	$(UV) sync --locked
	$(INFRA) install

run: setup ## Kafka, MongoDB (SecantusDB), the four services and Prometheus (:9090) in the foreground; Ctrl-C stops all
	RUN_DIR=$(CURDIR)/.run/local KEEP_RUN_DIR=1 $(INFRA) with deploy/local/run.sh

test: setup ## unit, integration and end-to-end tests against real servers the tests start
	$(UV) run pytest

test-alerts: setup ## only the Prometheus config and alert rules, checked and tested by promtool
	$(UV) run pytest tests/unit/test_prometheus_rules.py

lint: setup ## ruff and mypy
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy

format:
	$(UV) run ruff check --fix .
	$(UV) run ruff format .

schemas: ## regenerate the committed JSON Schemas of the events and docs/asyncapi.yaml
	$(UV) run python -m gegenstrom_contracts.schemas write
	$(UV) run python -m gegenstrom_contracts.asyncapi write

bench: setup ## the whole pipeline on the local stack: 10,000 employees (ARGS="--employees 100000 --mode bulk null"); writes docs/benchmarks/pipeline.md
	RUN_DIR=$(CURDIR)/.run/bench PROMETHEUS=0 $(INFRA) with env PYTHONPATH=bench $(UV) run python -m pipeline $(ARGS)

bench-profiling: setup ## 10,000 employees' inputs through profiling on the local stack
	RUN_DIR=$(CURDIR)/.run/bench $(INFRA) with $(UV) run python bench/profiling_throughput.py

bench-engine: ## the matching engine alone: rollout plans for 10,000 and 100,000 employees, no servers
	$(UV) run python bench/matching_engine.py

infra-up: ## only the servers, in the background (ports 9092 and 27017)
	RUN_DIR=$(CURDIR)/.run/local KEEP_RUN_DIR=1 $(INFRA) up

infra-down:
	RUN_DIR=$(CURDIR)/.run/local KEEP_RUN_DIR=1 $(INFRA) down

dashboard-pictures: ## docs/dashboards/*.png: the Grafana panels drawn from the Prometheus of a running `make run`
	$(UV) run python deploy/grafana/render_dashboards.py --prometheus http://127.0.0.1:9090 --out docs/dashboards

clean: ## remove local data and logs (not the download cache)
	rm -rf .run

"""The Grafana dashboards of deploy/grafana/dashboards query series that exist: the four
services run as processes, a real Prometheus scrapes them every second as
deploy/prometheus/prometheus.yml does (same job and labels), six employees of one site give
input, and every panel's expression, with its template variables filled in, returns data."""

import asyncio
import json
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import yaml

from support.company import ROLLOUT_ID, seed_company
from support.factories import input_form
from support.processes import ServiceProcess
from support.servers import INFRA, REPO, free_port
from support.tokens import bearer
from support.waiting import count_reaches

DASHBOARDS = REPO / "deploy" / "grafana" / "dashboards"
SCRAPE_CONFIG = REPO / "deploy" / "prometheus" / "prometheus.yml"
DATASOURCE = {"type": "prometheus", "uid": "prometheus"}
GRAFANA_12_SCHEMA = 41
VARIABLES = {
    "$__rate_interval": "30s",
    "$__interval": "30s",
    "$service": ".*",
    "$rollout": ROLLOUT_ID,
}
FAST = {"gauges_interval_s": "0.5"}
# seed_company(employees=9): personnel numbers 1000 + i, Hamburg unless i % 3 == 0,
# drivers on odd i. Six inputs at one site, so the rollout gauges pass k = 5.
HAMBURG = [i for i in range(9) if i % 3]


def dashboards() -> dict[str, dict]:
    return {path.name: json.loads(path.read_text()) for path in sorted(DASHBOARDS.glob("*.json"))}


def panels(board: dict) -> list[dict]:
    found = []
    for panel in board["panels"]:
        found.append(panel)
        found.extend(panel.get("panels", []))  # collapsed rows hold their panels
    return found


def expressions() -> list[tuple[str, str, str]]:
    """(dashboard file, panel title, expression with the variables filled in)."""
    found = []
    for name, board in dashboards().items():
        for panel in panels(board):
            for target in panel.get("targets", []):
                expr = target["expr"]
                for variable, value in VARIABLES.items():
                    expr = expr.replace(variable, value)
                found.append((name, panel["title"], expr))
    return found


def prometheus_binary() -> str:
    result = subprocess.run([str(INFRA), "prometheus-path"], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(
            "Prometheus is not installed: `deploy/local/infra.sh prometheus-path` found no "
            "binary. Run `make setup` (deploy/local/infra.sh install) to fetch it."
            f"\n{result.stderr}",
            pytrace=False,
        )
    return result.stdout.strip()


def scrape_config(services: dict[str, ServiceProcess]) -> dict:
    """deploy/prometheus/prometheus.yml with the services' test ports, every second."""
    config = yaml.safe_load(SCRAPE_CONFIG.read_text())
    config["global"] |= {"scrape_interval": "1s", "evaluation_interval": "1s"}
    config.pop("rule_files", None)
    for job in config["scrape_configs"]:
        for static in job["static_configs"]:
            port = services[static["labels"]["service"]].port
            static["targets"] = [f"127.0.0.1:{port}"]
    return config


class Prometheus:
    def __init__(self, binary: str, config: dict, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config_file = workdir / "prometheus.yml"
        config_file.write_text(yaml.safe_dump(config))
        self.log_path = workdir / "prometheus.log"
        self.args = [
            binary,
            f"--config.file={config_file}",
            f"--storage.tsdb.path={workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
        ]
        self.process: subprocess.Popen | None = None

    def start(self, timeout_s: float = 30) -> "Prometheus":
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(self.args, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"Prometheus exited: {self.log_tail()}")
            try:
                if httpx.get(f"{self.url}/-/ready", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"Prometheus not ready in {timeout_s}s: {self.log_tail()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text().splitlines()[-lines:])

    async def query(self, http: httpx.AsyncClient, expr: str) -> dict:
        response = await http.get(f"{self.url}/api/v1/query", params={"query": expr})
        return response.json()


def test_dashboards_are_provisionable() -> None:
    boards = dashboards()
    assert set(boards) == {"pipeline-health.json", "rollout-progress.json"}
    assert len({b["uid"] for b in boards.values()}) == len(boards)
    for name, board in boards.items():
        assert board["id"] is None, name  # Grafana assigns it; a fixed id can clash
        assert board["schemaVersion"] == GRAFANA_12_SCHEMA, name
        ids = [p["id"] for p in panels(board)]
        assert len(ids) == len(set(ids)), (name, ids)
        for panel in panels(board):
            if panel["type"] == "row":
                continue
            assert panel["datasource"] == DATASOURCE, (name, panel["title"])
            assert panel["targets"], (name, panel["title"])
            for target in panel["targets"]:
                assert target["datasource"] == DATASOURCE, (name, panel["title"])
        for variable in board["templating"]["list"]:
            assert variable["datasource"] == DATASOURCE, (name, variable["name"])
    variables = {n: {v["name"] for v in b["templating"]["list"]} for n, b in boards.items()}
    assert variables == {"pipeline-health.json": {"service"}, "rollout-progress.json": {"rollout"}}
    for name, title, expr in expressions():
        assert "$" not in expr, f"{name} / {title}: unknown variable in {expr}"


async def test_every_panel_query_returns_data(start_service, namespace, mongo, tmp_path):
    binary = prometheus_binary()
    intake = start_service("intake", **FAST)
    services = {
        "intake": intake,
        "profiling": start_service("profiling", **FAST),
        "training_match": start_service("training_match", **FAST),
        "notification": start_service("notification", intake_url=intake.url),
    }
    prometheus = Prometheus(binary, scrape_config(services), tmp_path).start()
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            await wait_until_scraped(prometheus, http, len(services))
            await drive_traffic(intake.url)
            plans = mongo[namespace.database("training_match")]["learning_plans"]
            await count_reaches(lambda: plans.count_documents({}), len(HAMBURG))
            await asyncio.sleep(10)  # enough 1 s scrapes after the traffic for rate()[30s]
            failures = await failing_panels(prometheus, http)
        assert not failures, "panels without data:\n" + "\n".join(failures)
    finally:
        prometheus.stop()


async def drive_traffic(intake_url: str) -> None:
    async with httpx.AsyncClient(base_url=intake_url) as http:
        ids = await seed_company(http, employees=9)
        for i in HAMBURG:
            employee = ids[str(1000 + i)]
            role, step = ("driver", "shipping") if i % 2 else ("dispatcher", "booking")
            response = await http.post(
                "/v1/employee-inputs",
                json=input_form(employee, role_id=role, process_step_id=step),
                headers=bearer(employee),
            )
            assert response.status_code == 201, response.text


async def wait_until_scraped(prometheus: Prometheus, http: httpx.AsyncClient, targets: int):
    deadline = time.monotonic() + 30
    while True:
        result = (await prometheus.query(http, 'up{job="gegenstrom"} == 1'))["data"]["result"]
        if len(result) == targets:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"targets up: {result}\n{prometheus.log_tail()}")
        await asyncio.sleep(0.5)


async def failing_panels(
    prometheus: Prometheus, http: httpx.AsyncClient, timeout_s: float = 30
) -> list[str]:
    """Each panel's expression, retried until it has data (domain gauges are recomputed
    every half second, then scraped); returns the ones that never had any."""
    pending = expressions()
    deadline = time.monotonic() + timeout_s
    while True:
        failures = []
        still = []
        for name, title, expr in pending:
            answer = await prometheus.query(http, expr)
            if answer.get("status") != "success" or not answer["data"]["result"]:
                failures.append(f"{name} / {title}: {expr} -> {json.dumps(answer)[:300]}")
                still.append((name, title, expr))
        if not still or time.monotonic() > deadline:
            return failures
        pending = still
        await asyncio.sleep(1)

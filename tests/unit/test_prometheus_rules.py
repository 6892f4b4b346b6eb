"""The Prometheus config and alert rules of deploy/prometheus, checked and unit-tested by
promtool. `make setup` (deploy/local/infra.sh install) puts promtool into the cache;
PROMTOOL=/path/to/promtool overrides it. Without promtool these tests fail, not skip."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
PROMETHEUS_DIR = REPO / "deploy" / "prometheus"
INFRA = REPO / "deploy" / "local" / "infra.sh"


def find_promtool() -> str | None:
    if os.environ.get("PROMTOOL"):
        return os.environ["PROMTOOL"]
    cached = subprocess.run(
        [str(INFRA), "promtool-path"], capture_output=True, text=True, check=False
    )
    if cached.returncode == 0 and cached.stdout.strip():
        return cached.stdout.strip()
    return shutil.which("promtool")


@pytest.fixture(scope="module")
def promtool() -> str:
    path = find_promtool()
    if path is None or not os.access(path, os.X_OK):
        pytest.fail(
            f"promtool not found ({path or 'not installed'}): "
            "run `deploy/local/infra.sh install` (part of `make setup`; "
            "it unpacks Debian's prometheus package into ~/.cache/gegenstrom), "
            "or set PROMTOOL=/path/to/promtool",
            pytrace=False,
        )
    return path


@pytest.mark.parametrize(
    "args",
    [
        ["check", "rules", "alerts.yml"],
        ["check", "config", "prometheus.yml"],
        ["test", "rules", "alerts_test.yml"],
    ],
    ids=["check-rules", "check-config", "test-rules"],
)
def test_promtool(promtool: str, args: list[str]) -> None:
    result = subprocess.run(
        [promtool, *args],
        cwd=PROMETHEUS_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, (
        f"promtool {' '.join(args)} exited {result.returncode}\n"
        f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    )


def test_every_alert_has_severity_summary_description_and_a_test() -> None:
    rules = yaml.safe_load((PROMETHEUS_DIR / "alerts.yml").read_text())
    tests = (PROMETHEUS_DIR / "alerts_test.yml").read_text()
    alerts = [rule for group in rules["groups"] for rule in group["rules"] if "alert" in rule]
    assert alerts
    for rule in alerts:
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}, rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
        assert rule["annotations"]["description"], rule["alert"]
        assert f"alertname: {rule['alert']}" in tests, f"no promtool test for {rule['alert']}"

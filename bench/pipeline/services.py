"""The four services as processes of their own (ports, topic prefix and databases of this
run), and what they cost: CPU seconds and peak resident memory, read with psutil."""

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

SERVICES = ("intake", "profiling", "training_match", "notification")
SECRET = "bench-secret-0123456789-abcdefghijklmnop"


@dataclass
class Service:
    name: str
    port: int
    process: subprocess.Popen
    handle: psutil.Process = field(init=False)

    def __post_init__(self) -> None:
        self.handle = psutil.Process(self.process.pid)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu_s(self) -> float:
        times = self.handle.cpu_times()
        return times.user + times.system

    def peak_rss_mb(self) -> float:
        """The high-water mark of resident memory (Linux), else the current RSS."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
            kb = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))
            return int(kb) / 1024
        except (OSError, StopIteration):
            return self.handle.memory_info().rss / 2**20


def free_port() -> int:
    """A port nobody listens on now (the services' ports must be this run's own)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def service_env(name: str, run: str, bootstrap: str, mongo: str, ports: dict) -> dict[str, str]:
    prefix = name.upper() + "_"
    values = {
        "KAFKA_BOOTSTRAP": bootstrap,
        "MONGO_URI": mongo,
        "MONGO_DATABASE": f"{run}_{name}",
        "TOPIC_PREFIX": f"{run}.",
        "HTTP_PORT": str(ports[name]),
        "AUTH_SECRET": SECRET,
        "INTAKE_URL": f"http://127.0.0.1:{ports['intake']}",  # notification's lookups
        "REPLAN_DEBOUNCE_S": "0",  # measure the incremental path, no rollout-wide re-plans
    }
    return {prefix + k: v for k, v in values.items()}


def start_all(run: str, bootstrap: str, mongo: str, logs: Path) -> dict[str, Service]:
    """Start every service, logging to ``logs``, and wait until each is ready."""
    logs.mkdir(parents=True, exist_ok=True)
    services: dict[str, Service] = {}
    ports = {name: free_port() for name in SERVICES}
    try:
        for name in SERVICES:
            env = os.environ | service_env(name, run, bootstrap, mongo, ports)
            out = (logs / f"{name}.log").open("wb")
            argv = [sys.executable, "-m", name]
            services[name] = Service(name, ports[name], subprocess.Popen(argv, env=env,
                                     stdout=out, stderr=out))  # fmt: skip
        for service in services.values():
            _wait_ready(service, logs)
    except BaseException:
        stop_all(services)
        raise
    return services


def _wait_ready(service: Service, logs: Path, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise SystemExit(f"{service.name} died at start; see {logs}/{service.name}.log")
        try:
            ready = httpx.get(f"{service.url}/readyz", timeout=2).status_code == 200
            if ready and service.process.poll() is None:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{service.name} not ready in {timeout_s:.0f} s; see {logs}")


def stop_all(services: dict[str, Service]) -> None:
    for service in services.values():
        service.process.terminate()
    for service in services.values():
        try:
            service.process.wait(30)
        except subprocess.TimeoutExpired:
            service.process.kill()

"""The services as real operating-system processes, as `make run` starts them."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from support.namespace import SERVICES, Namespace
from support.servers import REPO, free_port

LOG_DIR = REPO / ".run" / "test-logs"


class ServiceProcess:
    def __init__(self, service: str, namespace: Namespace, **settings: str) -> None:
        self.service = service
        self.port = free_port()
        prefix = SERVICES[service]
        self.env = os.environ | namespace.env(service) | {f"{prefix}HTTP_PORT": str(self.port)}
        self.env |= {f"{prefix}{k.upper()}": v for k, v in settings.items()}
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path: Path = LOG_DIR / f"{namespace.run_id}-{service}.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 60) -> "ServiceProcess":
        log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.service], env=self.env, stdout=log, stderr=log
        )
        self._wait_ready(timeout_s)
        return self

    def _wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.service} exited: {self.log_tail()}")
            if _ready(f"{self.url}/readyz"):
                return
            time.sleep(0.1)
        raise AssertionError(f"{self.service} not ready in {timeout_s}s: {self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def terminate(self, timeout_s: float = 40) -> int:
        """SIGTERM and wait for a graceful exit; returns the exit code."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout_s)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            try:
                self.terminate()
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text().splitlines()[-lines:])


def _ready(url: str) -> bool:
    """True when the service answers 200; a refused connection means not yet."""
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False

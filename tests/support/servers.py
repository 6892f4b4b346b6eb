"""The real Kafka and MongoDB servers a test run uses: the ones it is pointed at through
KAFKA_BOOTSTRAP and MONGO_URI, or its own, started on free ports by deploy/local/infra.sh."""

import os
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "deploy" / "local" / "infra.sh"


@dataclass(frozen=True)
class Servers:
    kafka_bootstrap: str
    mongo_uri: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_servers() -> Iterator[Servers]:
    if os.environ.get("KAFKA_BOOTSTRAP") and os.environ.get("MONGO_URI"):
        yield Servers(os.environ["KAFKA_BOOTSTRAP"], os.environ["MONGO_URI"])
        return
    kafka, controller, mongo = free_port(), free_port(), free_port()
    env = os.environ | {
        "KAFKA_PORT": str(kafka),
        "KAFKA_CTRL_PORT": str(controller),
        "MONGO_PORT": str(mongo),
        "RUN_DIR": str(REPO / ".run" / f"test-infra-{kafka}"),
    }
    subprocess.run([str(INFRA), "up"], env=env, check=True)
    try:
        yield Servers(f"127.0.0.1:{kafka}", f"mongodb://127.0.0.1:{mongo}")
    finally:
        subprocess.run([str(INFRA), "down"], env=env, check=False)

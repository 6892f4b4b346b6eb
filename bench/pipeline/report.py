"""Numbers of a run: printed, and written to docs/benchmarks/pipeline.md with a latency
histogram per mode (docs/benchmarks/latency-<mode>-<employees>.png)."""

import os
import platform
import re
from datetime import UTC, datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import psutil

from pipeline.run import Result

QUANTILES = (0.5, 0.95, 0.99)
HOP_NAMES = ("intake → profile", "profile → plan", "plan → notification")


def percentiles(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values) or [float("nan")]
    p50, p95, p99 = (ordered[min(len(ordered) - 1, int(q * len(ordered)))] for q in QUANTILES)
    return p50, p95, p99


def latencies(result: Result) -> list[float]:
    return [t[3] - t[0] for t in result.times]


def hop(result: Result, n: int) -> list[float]:
    return [t[n + 1] - t[n] for t in result.times]


def _p(values: list[float]) -> str:
    return " / ".join(f"{v:.2f}" for v in percentiles(values))


def table(results: list[Result]) -> str:
    null = next((r for r in results if r.mode == "null"), None)
    lines = [
        "| mode | employees | intake accepted/s | wall s | employees/s | of null |"
        " latency p50 / p95 / p99 s |" + "".join(f" {h} p50 / p95 / p99 s |" for h in HOP_NAMES),
        "|---" * 10 + "|",
    ]
    for r in results:
        ratio = f"{r.throughput / null.throughput:.1%}" if null and r is not null else ""
        mode = f"steady {r.rate:g}/s" if r.rate else r.mode
        hops = "".join(f" {_p(hop(r, n))} |" for n in range(3))
        accepted = f"{r.employees / r.drive_s:.1f}" if r.drive_s else ""
        lines.append(f"| {mode} | {r.employees} | {accepted} | {r.seconds:.1f} | "
                     f"{r.throughput:.1f} | {ratio} | {_p(latencies(r))} |{hops}")  # fmt: skip
    return "\n".join(lines)


def costs(results: list[Result]) -> str:
    lines = ["| mode | process | CPU s per 1,000 employees | peak RSS MB |", "|---|---|---|---|"]
    for r in results:
        for name, cpu in r.cpu_s.items():
            lines.append(f"| {r.mode} | {name} | {cpu * 1000 / r.employees:.1f} | "
                         f"{r.peak_rss_mb[name]:.0f} |")  # fmt: skip
    sizes = "; ".join(f"{r.mode} " + " / ".join(f"{s:.0f}" for s in r.sizes) for r in results)
    return (
        "\n".join(lines)
        + f"\n\nMean event body bytes (input / profile / plan / notification): {sizes}."
    )


def histogram(result: Result, folder: Path) -> Path:
    path = folder / f"latency-{result.mode}-{result.employees}.png"
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.hist(latencies(result), bins=60, color="#3b6ea5")
    for q, value in zip(("p50", "p95", "p99"), percentiles(latencies(result)), strict=True):
        ax.axvline(value, color="#c0392b", linestyle="--", linewidth=1)
        ax.annotate(q, (value, ax.get_ylim()[1] * 0.9), fontsize=8)
    ax.set_xlabel("input accepted → plan notification stored (s)")
    ax.set_ylabel("employees")
    ax.set_title(f"{result.mode}: {result.employees} employees")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def machine(bootstrap: str, mongo_version: str) -> str:
    cpu = _cpu_model()
    memory = psutil.virtual_memory().total / 2**30
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    return "\n".join([
        f"- CPU: {cpu}, {os.cpu_count()} logical cores",
        f"- RAM: {memory:.1f} GiB; OS: {platform.platform()}",
        f"- load average at the end (1 / 5 / 15 min): {load} (other work shares the machine)",
        f"- Python {platform.python_version()}; Kafka {_kafka_version()} at {bootstrap}; "
        f"MongoDB wire server {mongo_version}",
    ])  # fmt: skip


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
        return re.search(r"model name\s*:\s*(.+)", text).group(1)  # type: ignore[union-attr]
    except (OSError, AttributeError):
        return platform.processor() or "unknown"


def _kafka_version() -> str:
    return os.environ.get("KAFKA_VERSION") or _pinned(r"KAFKA_VERSION:-([\d.]+)")


def _pinned(pattern: str) -> str:
    """A version deploy/local/infra.sh pins."""
    script = Path(__file__).resolve().parents[2] / "deploy/local/infra.sh"
    found = re.search(pattern, script.read_text())
    return found.group(1) if found else "unknown"


def write(results: list[Result], params: str, about_machine: str, out: Path) -> None:
    """Write (replace) the section of this size in the results file, and the plots."""
    out.parent.mkdir(parents=True, exist_ok=True)
    plots = [histogram(r, out.parent) for r in results if r.times]
    title = f"## {params}"
    section = "\n\n".join([
        title,
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on:\n\n{about_machine}",
        table(results),
        costs(results),
        "\n".join(f"![{p.stem}]({p.name})" for p in plots),
    ])  # fmt: skip
    sections = _sections(out)
    sections[title] = section
    head = (out.read_text().split("\n## ")[0] if out.exists() else HEAD).rstrip()
    out.write_text(head + "\n\n" + "\n\n".join(sections.values()) + "\n")
    print(f"results written to {out}")


def _sections(out: Path) -> dict[str, str]:
    if not out.exists():
        return {}
    parts = out.read_text().split("\n## ")[1:]
    return {"## " + p.split("\n")[0]: ("## " + p).rstrip() for p in parts}


HEAD = """# Pipeline benchmark

Written by `make bench` (bench/pipeline/, see bench/README.md): a synthetic organisation's
inputs through intake, profiling, training-match and notification on the local Kafka and
SecantusDB, each service a process of its own. One section per size and modes, replaced
when they run again. Latency: `ce_time` of the input event (intake accepted it) to `ce_time` of
the employee's plan notification; hops by the events in between, linked by
`ce_correlationid`. "of null": throughput as a share of the null pipeline's (same hops,
topics, message sizes and MongoDB writes per message, no domain logic).
"""


def mongo_version(uri: str) -> str:
    """What the server says of itself, and the SecantusDB release the local stack pins."""
    from pymongo import MongoClient

    try:
        with MongoClient(uri, serverSelectionTimeoutMS=3000) as client:
            said = str(client.server_info().get("version", "unknown"))
    except Exception as error:  # the report says so rather than failing the run
        said = f"unknown ({error.__class__.__name__})"
    secantus = _pinned(r'SECANTUS_VERSION="([^"]+)')
    return f"{said} (SecantusDB {secantus} when local)"

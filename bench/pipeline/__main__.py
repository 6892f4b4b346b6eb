"""The pipeline benchmark: a synthetic organisation's inputs through all four services.

    make bench                                  # 10,000 employees, 50 sites, every mode
    make bench ARGS="--employees 100000 --mode bulk null"
    PYTHONPATH=bench uv run python -m pipeline --employees 500 --sites 10 --mode bulk

Needs KAFKA_BOOTSTRAP and MONGO_URI (``deploy/local/infra.sh with`` sets them).
"""

import argparse
import asyncio
import os
from pathlib import Path

from pipeline import report, run
from pipeline.org import Organisation

ROOT = Path(__file__).resolve().parents[2]
MODES = ("bulk", "http", "steady", "null")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pipeline", description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=50)
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--mode", nargs="+", choices=[*MODES, "all"], default=["all"])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--in-flight", type=int, default=48, help="HTTP mode: requests at once")
    parser.add_argument("--batch", type=int, default=1000, help="bulk mode: inputs per request")
    parser.add_argument("--rate", type=float, default=200, help="steady mode: inputs per second")
    parser.add_argument("--duration", type=float, default=60, help="steady mode: seconds")
    parser.add_argument("--run-dir", default=str(ROOT / ".run/bench-pipeline"))
    parser.add_argument("--out", default=str(ROOT / "docs/benchmarks/pipeline.md"))
    return parser.parse_args()


async def main(args: argparse.Namespace) -> None:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    mongo = os.environ.get("MONGO_URI", "mongodb://127.0.0.1:27017")
    modes = MODES if "all" in args.mode else tuple(m for m in MODES if m in args.mode)
    print(f"generating {args.employees} employees at {args.sites} sites (seed {args.seed})")
    org = Organisation(args.sites, args.employees, args.seed)
    results = []
    for mode in modes:
        if mode == "null":
            sizes = results[0].sizes if results else run.DEFAULT_SIZES
            results.append(await run.ceiling(args.employees, sizes, bootstrap, mongo))
        else:
            results.append(await run.real(mode, org, args, bootstrap, mongo))
        print(report.table(results[-1:]))
    params = f"{args.employees:,} employees, {args.sites} sites, seed {args.seed}"
    if modes != MODES:
        params += f", modes {' '.join(modes)}"
    if "steady" in modes:
        params += f", steady {args.rate:g}/s for {args.duration:g} s"
    print(report.table(results), report.costs(results), sep="\n\n")
    about = report.machine(bootstrap, report.mongo_version(mongo))
    report.write(results, params, about, Path(args.out))


if __name__ == "__main__":
    asyncio.run(main(arguments()))

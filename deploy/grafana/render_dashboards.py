"""Draw the Grafana dashboards' panels as PNGs from a live Prometheus, without Grafana.

    uv run python deploy/grafana/render_dashboards.py --prometheus http://127.0.0.1:9090

For every panel of deploy/grafana/dashboards/*.json it runs each target's expression as a
query_range over the last --minutes and draws one picture per dashboard, laid out like the
dashboard's grid: time series as lines, stat panels as the last value, tables as a table.
`$service` becomes `.*`, `$rollout` the first rollout Prometheus knows (or --rollout), and
`$__rate_interval` / `$__interval` become `1m`. `make dashboard-pictures` runs it.
"""

from __future__ import annotations

import argparse
import json
import re
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.axes import Axes

DASHBOARDS = Path(__file__).parent / "dashboards"
NAMES = ("pipeline-health", "rollout-progress")
STEP_S = 15
ROW_HEIGHT_IN = 0.42  # one Grafana grid unit of height


def get(prometheus: str, path: str, **params: str | float) -> Any:
    url = f"{prometheus.rstrip('/')}{path}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=30) as response:
        body = json.load(response)
    if body.get("status") != "success":
        raise RuntimeError(f"{url}: {body}")
    return body["data"]


def substitute(expr: str, rollout: str) -> str:
    expr = expr.replace("$__rate_interval", "1m").replace("$__interval", "1m")
    return expr.replace("$service", ".*").replace("$rollout", rollout)


def legend(fmt: str, labels: dict[str, str]) -> str:
    text = re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: labels.get(m.group(1), ""), fmt or "")
    return " ".join(text.split()) or ", ".join(f"{k}={v}" for k, v in labels.items()) or "value"


def fmt_value(value: float, unit: str) -> str:
    if value != value:  # NaN, e.g. a ratio of two zero rates
        return "NaN"
    if unit == "percentunit":
        return f"{value:.0%}"
    if unit == "currencyEUR":
        return f"{value:,.0f} €"
    return f"{value:,.0f}" if value == int(value) and abs(value) < 1e15 else f"{value:,.3g}"


def query_panel(
    prometheus: str, panel: dict[str, Any], rollout: str, start: float, end: float
) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    results = []
    for target in panel.get("targets", []):
        expr = substitute(target["expr"], rollout)
        data = get(prometheus, "/api/v1/query_range", query=expr, start=start, end=end, step=STEP_S)
        results.append((target, data["result"]))
    return results


def draw_timeseries(ax: Axes, results: list[tuple[dict[str, Any], list[dict[str, Any]]]]) -> None:
    zeros = 0  # series that stay at 0 are drawn but left out of the legend, as noise
    for target, series in results:
        for s in series:
            times = mdates.date2num([datetime.fromtimestamp(float(t), UTC) for t, _ in s["values"]])
            values = [float(v) for _, v in s["values"]]
            label = legend(target.get("legendFormat", ""), s["metric"]).replace("gegenstrom.", "")
            if not any(values):
                zeros += 1
                label = "_" + label  # matplotlib leaves labels starting with _ out
            ax.plot(times, values, linewidth=1.2, label=label)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M", tz=UTC))
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)
    if not ax.lines:
        ax.text(0.5, 0.5, "No data", ha="center", va="center", transform=ax.transAxes, color="grey")
        return
    if zeros:
        ax.plot([], [], " ", label=f"(+ {zeros} series at 0 all the time)")
    labelled = len(ax.lines) - zeros
    ax.legend(fontsize=6, loc="upper left", ncol=1 + labelled // 8, framealpha=0.6)


def draw_stat(
    ax: Axes, panel: dict[str, Any], results: list[tuple[dict[str, Any], list[dict[str, Any]]]]
) -> None:
    unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit", "")
    cells = [
        (legend(t.get("legendFormat", ""), s["metric"]), fmt_value(float(s["values"][-1][1]), unit))
        for t, series in results
        for s in series
    ]
    ax.axis("off")
    if not cells:
        ax.text(0.5, 0.5, "No data", ha="center", va="center", color="grey")
    for i, (name, value) in enumerate(cells):
        x = (i + 0.5) / len(cells)
        ax.text(
            x,
            0.55,
            value,
            ha="center",
            va="center",
            fontsize=22 if len(cells) < 5 else 16,
            weight="bold",
            color="#1f77b4",
        )
        ax.text(x, 0.12, name, ha="center", va="center", fontsize=7)


def draw_table(
    ax: Axes, panel: dict[str, Any], results: list[tuple[dict[str, Any], list[dict[str, Any]]]]
) -> None:
    renames: dict[str, str] = {}
    for transformation in panel.get("transformations", []):
        renames.update(transformation.get("options", {}).get("renameByName", {}))
    units = {
        o["matcher"]["options"]: o["properties"][0]["value"]
        for o in panel.get("fieldConfig", {}).get("overrides", [])
    }
    columns = [renames.get(f"Value #{t['refId']}", t["refId"]) for t, _ in results]
    rows: dict[str, dict[str, str]] = {}
    for column, (_, series) in zip(columns, results, strict=True):
        for s in series:
            key = s["metric"].get("site", "")
            rows.setdefault(key, {})[column] = fmt_value(
                float(s["values"][-1][1]), units.get(column, "")
            )
    ax.axis("off")
    if not rows:
        ax.text(0.5, 0.5, "No data", ha="center", va="center", color="grey")
        return
    header = [renames.get("site", "site"), *columns]
    cells = [[site, *(row.get(c, "-") for c in columns)] for site, row in sorted(rows.items())]
    table = ax.table(cellText=cells, colLabels=header, loc="upper center", cellLoc="center")
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    table.scale(1, 1.4)


def render(
    dashboard: dict[str, Any], prometheus: str, rollout: str, minutes: int, out: Path
) -> None:
    end = time.time()
    start = end - minutes * 60
    panels = dashboard["panels"]
    height = max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in panels)
    fig = plt.figure(figsize=(20, 1.2 + height * ROW_HEIGHT_IN))
    grid = fig.add_gridspec(
        height,
        24,
        hspace=1.0,
        wspace=1.2,
        top=1 - 1.0 / (1.2 + height * ROW_HEIGHT_IN),
        bottom=0.02,
        left=0.03,
        right=0.99,
    )
    first, last = datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC)
    span = f"{first:%Y-%m-%d %H:%M} to {last:%H:%M} UTC ({minutes} min)"
    variable = f"   rollout = {rollout}" if "$rollout" in json.dumps(panels) else "   service = All"
    fig.suptitle(
        f"{dashboard['title']}{variable}\n{span}, rendered from Prometheus at {prometheus}",
        fontsize=13,
        x=0.03,
        ha="left",
    )
    for panel in panels:
        pos = panel["gridPos"]
        bottom = pos["y"] + max(1, pos["h"] - 1)  # the last grid unit is room for ticks and titles
        ax = fig.add_subplot(grid[pos["y"] : bottom, pos["x"] : pos["x"] + pos["w"]])
        title = substitute(panel["title"], rollout)
        if panel["type"] == "row":
            ax.axis("off")
            ax.text(0, 0.0, title, fontsize=12, weight="bold", va="bottom")
            continue
        ax.set_title(title, fontsize=10, loc="left")
        results = query_panel(prometheus, panel, rollout, start, end)
        if panel["type"] == "stat":
            draw_stat(ax, panel, results)
        elif panel["type"] == "table":
            draw_table(ax, panel, results)
        else:
            draw_timeseries(ax, results)
    fig.savefig(out, dpi=80)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prometheus", default="http://127.0.0.1:9090")
    parser.add_argument("--out", type=Path, default=Path("docs/dashboards"))
    parser.add_argument("--minutes", type=int, default=15)
    parser.add_argument(
        "--rollout", help="value of $rollout (default: the first one Prometheus has)"
    )
    args = parser.parse_args()
    rollout = args.rollout or next(iter(get(args.prometheus, "/api/v1/label/rollout/values")), "")
    args.out.mkdir(parents=True, exist_ok=True)
    for name in NAMES:
        dashboard = json.loads((DASHBOARDS / f"{name}.json").read_text())
        render(dashboard, args.prometheus, rollout, args.minutes, args.out / f"{name}.png")
        print(f"wrote {args.out / f'{name}.png'}")


if __name__ == "__main__":
    main()

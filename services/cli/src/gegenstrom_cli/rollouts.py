"""``gegenstrom rollout create|status``: management's side of a rollout."""

import json
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.console import Console
from rich.table import Table

from gegenstrom_cli.client import fail_unless_ok, intake_url, request

app = typer.Typer(no_args_is_help=True, help="Define rollouts and follow their progress.")
console = Console()


@app.command("create")
def create(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="YAML or JSON")],
    rollout_id: Annotated[
        str | None, typer.Option("--id", help="Else the file's rollout_id")
    ] = None,
) -> None:
    """Create or change a rollout from a YAML or JSON file (the same again changes nothing)."""
    body = _load(file)
    rollout_id = rollout_id or body.pop("rollout_id", None)
    if not rollout_id:
        raise typer.BadParameter("give --id or a rollout_id in the file")
    body.pop("rollout_id", None)
    response = request("PUT", f"{intake_url()}/v1/rollouts/{rollout_id}", json=body)
    result = fail_unless_ok(response, accept=(200, 201))
    console.print(
        f"rollout {rollout_id}: {'saved as a new version' if result['changed'] else 'unchanged'}"
    )


@app.command("status")
def status(rollout_id: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Waves and participation per site; groups under the k threshold are not shown."""
    rollout = fail_unless_ok(request("GET", f"{intake_url()}/v1/rollouts/{rollout_id}"))
    counts = fail_unless_ok(
        request("GET", f"{intake_url()}/v1/rollouts/{rollout_id}/participation")
    )
    if as_json:
        typer.echo(json.dumps({"rollout": rollout, "participation": counts}, indent=2))
        return
    waves = {w["site_id"]: w for w in rollout["waves"]}
    table = Table(
        "site",
        "wave starts",
        "in scope",
        "inputs",
        "share",
        title=f"{rollout['title']} (version {rollout['rollout_version']})",
    )
    for site, row in counts["sites"].items():
        table.add_row(site, waves.get(site, {}).get("starts_on", "-"), *_cells(row, counts["k"]))
    console.print(table)
    console.print(f"requirements: {', '.join(r['title'] for r in rollout['requirements']) or '-'}")


def _load(file: Path) -> dict:
    """YAML or JSON; dates that YAML reads as dates go out as ISO strings."""
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise typer.BadParameter(f"{file} must hold one rollout as a mapping")
    return json.loads(json.dumps(data, default=str))


def _cells(row: dict, k: int) -> list[str]:
    scope, inputs = row["employees_in_scope"], row["inputs_received"]
    if scope is None:
        return [f"<{k} (hidden)", "-", "-"]
    return [str(scope), str(inputs), f"{inputs / scope:.0%}" if scope else "-"]

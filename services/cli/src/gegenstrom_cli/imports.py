"""``gegenstrom import org|esco``: upload files to intake, show the report."""

from contextlib import ExitStack
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from gegenstrom_cli.client import fail_unless_ok, intake_url, post

app = typer.Typer(no_args_is_help=True, help="Bulk imports into intake.")
console = Console()
ORG_KINDS = ("sites", "departments", "processes", "roles", "employees")
DryRun = Annotated[bool, typer.Option("--dry-run", help="Check and report; write nothing.")]


@app.command("org")
def import_org(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, help="CSV files")],
    dry_run: DryRun = False,
) -> None:
    """Import sites, departments, processes, roles and employees from HR CSV exports.

    Each file's kind comes from its name (sites.csv, employees-2026-11.csv, ...).
    """
    fields = [(kind_of(path), path) for path in files]
    response = upload("/v1/org/import", fields, dry_run)
    report = fail_unless_ok(response, accept=(200, 422))
    show_problems(report["problems"])
    show_changes(report["changes"])
    finish(report, dry_run)


@app.command("esco")
def import_esco(
    paths: Annotated[list[Path], typer.Argument(exists=True, help="ESCO CSV files or folders")],
    dry_run: DryRun = False,
) -> None:
    """Import ESCO skills, groups, hierarchy and occupations, as the EU publishes them."""
    files = [f for p in paths for f in (sorted(p.glob("*.csv")) if p.is_dir() else [p])]
    response = upload("/v1/catalog/esco-import", [("files", f) for f in files], dry_run)
    report = fail_unless_ok(response, accept=(200, 422))
    show_problems(report["problems"])
    show_esco_counts(report)
    finish(report, dry_run)


def kind_of(path: Path) -> str:
    name = path.stem.lower()
    for kind in ORG_KINDS:
        if name.startswith(kind) or name.startswith(kind.rstrip("s")):
            return kind
    raise typer.BadParameter(f"{path.name}: name must start with one of {', '.join(ORG_KINDS)}")


def upload(path: str, fields: list[tuple[str, Path]], dry_run: bool) -> httpx.Response:
    """POST the files as multipart form data with a progress bar over the bytes sent."""
    with ExitStack() as stack, Progress(console=console, transient=True) as progress:
        multipart = []
        for field, file in fields:
            handle = stack.enter_context(file.open("rb"))
            reader = progress.wrap_file(handle, total=file.stat().st_size, description=file.name)
            multipart.append((field, (file.name, reader, "text/csv")))
        url = f"{intake_url()}{path}?dry_run={str(dry_run).lower()}"
        return post(url, files=multipart)


def show_problems(problems: list[dict]) -> None:
    if not problems:
        return
    table = Table("file", "line", "column", "problem", title=f"{len(problems)} problem(s)")
    for p in problems:
        table.add_row(p["file"], str(p["line"] or ""), p["column"], p["reason"])
    console.print(table)


def show_changes(changes: dict[str, dict]) -> None:
    table = Table("kind", "new", "changed", "removed / left", "unchanged", title="changes")
    for kind, c in changes.items():
        table.add_row(
            kind, *(str(len(c[k])) for k in ("new", "changed", "removed")), str(c["unchanged"])
        )
    console.print(table)


def show_esco_counts(report: dict) -> None:
    table = Table("file", "rows", "competences", "groups", "occupations", title="ESCO files")
    for name, c in report["files"].items():
        table.add_row(
            name, *(str(c.get(k, 0)) for k in ("rows_read", "competences", "groups", "occupations"))
        )
    console.print(table)
    c = report["changes"]
    console.print(
        f"catalog: {c['new']} new, {c['changed']} changed, {c['unchanged']} unchanged; "
        f"unresolved references: {report['unresolved_references']}"
    )


def finish(report: dict, dry_run: bool) -> None:
    if report["problems"]:
        console.print("[red]nothing was written: fix the problems and import again[/red]")
        raise typer.Exit(1)
    console.print("dry run: nothing written" if dry_run else "[green]imported[/green]")

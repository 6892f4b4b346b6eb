"""``gegenstrom demo load``: the demo company Siegtal Präzisionsteile GmbH, loaded
through the services' HTTP APIs as HR, management and every employee would."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import track

from gegenstrom_cli import demo_data
from gegenstrom_cli.client import fail_unless_ok, intake_url, request, training_match_url
from gegenstrom_cli.tokens import issuer
from gegenstrom_runtime.auth import Role

app = typer.Typer(no_args_is_help=True, help="The demo company for trying gegenstrom out.")
console = Console()


class Loader:
    """Sends the demo data; every step may run again without changing anything."""

    def __init__(self) -> None:
        self.url = intake_url()
        self.training_match = training_match_url()
        self.tokens = issuer()
        self.hr = self.tokens.mint("demo-hr", Role.HR)
        self.management = self.tokens.mint("demo-management", Role.ADMIN)

    def call(
        self, method: str, path: str, token: str, accept=(200, 201, 204), base: str = "", **kwargs
    ) -> dict:
        response = request(method, f"{base or self.url}{path}", token=token, **kwargs)
        if response.status_code not in accept:
            fail_unless_ok(response)
        return response.json() if response.content else {}

    def as_employee(self, employee_id: str) -> str:
        return self.tokens.mint(employee_id, Role.EMPLOYEE)


@app.command("load")
def load(
    esco: Annotated[
        Path | None, typer.Option(help="Also import ESCO CSVs from this folder")
    ] = None,
) -> None:
    """Load organisation, catalog, rollout, proposals, confirmed profiles, learning offers,
    inputs and ideas."""
    loader = Loader()
    files = {k: (name, data, "text/csv") for k, (name, data) in demo_data.org_csvs().items()}
    loader.call("POST", "/v1/org/import", loader.hr, files=files)
    for competence_id, body in demo_data.COMPANY_COMPETENCES.items():
        loader.call("PUT", f"/v1/catalog/competences/{competence_id}", loader.hr, json=body)
    if esco:
        fields = [
            ("files", (p.name, p.read_bytes(), "text/csv")) for p in sorted(esco.glob("*.csv"))
        ]
        loader.call("POST", "/v1/catalog/esco-import", loader.hr, files=fields)
    rollout = f"/v1/rollouts/{demo_data.ROLLOUT_ID}"
    loader.call("PUT", rollout, loader.management, json=demo_data.rollout())
    ids = employee_ids(loader)
    load_profiles(loader, ids)
    load_offers(loader, ids)
    load_inputs(loader, ids)
    load_ideas(loader, ids)
    console.print(
        f"[green]demo company loaded[/green]: {len(ids)} employees, rollout {demo_data.ROLLOUT_ID}"
    )


def employee_ids(loader: Loader) -> dict[str, str]:
    listed = loader.call("GET", "/v1/org/employees?limit=5000", loader.hr)
    return {e["personnel_number"]: e["employee_id"] for e in listed}  # type: ignore[union-attr]


def load_profiles(loader: Loader, ids: dict[str, str]) -> None:
    base = f"/v1/rollouts/{demo_data.ROLLOUT_ID}/requirements"
    for requirement_id, number, body in demo_data.proposals():
        employee = ids[number]
        path = f"{base}/{requirement_id}/proposals/{employee}"
        loader.call("PUT", path, loader.as_employee(employee), json=body)
    for requirement_id, body in demo_data.confirmed_profiles().items():
        loader.call("PUT", f"{base}/{requirement_id}/profile", loader.hr, json=body)


def load_offers(loader: Loader, ids: dict[str, str]) -> None:
    """Workshops, circles, self-study and external courses (mentors offer themselves)."""
    files = {"offers": ("angebote.csv", demo_data.offers_csv(ids), "text/csv")}
    loader.call("POST", "/v1/offers/import", loader.hr, base=loader.training_match, files=files)


def load_inputs(loader: Loader, ids: dict[str, str]) -> None:
    # those who offer to mentor answered first, as the controllers in the source did
    inputs = sorted(demo_data.employee_inputs(), key=lambda i: i[1]["mentoring_offer"] is None)
    for number, body in track(inputs, description="employee inputs"):
        employee = ids[number]
        loader.call(
            "POST",
            "/v1/employee-inputs",
            loader.as_employee(employee),
            json={"employee_id": employee, **body},
        )


def load_ideas(loader: Loader, ids: dict[str, str]) -> None:
    path = f"/v1/rollouts/{demo_data.ROLLOUT_ID}/ideas"
    if loader.call("GET", path, loader.hr)["by_process"]:
        return  # ideas are not versioned: load them once
    for number, body in demo_data.ideas():
        employee = ids[number]
        loader.call(
            "POST", path, loader.as_employee(employee), json={"employee_id": employee, **body}
        )

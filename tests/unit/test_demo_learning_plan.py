"""The demo company's KPI employee in Siegen, planned with the demo offers and mentors:
the worked figure of ../shared/handbook/demo-scenario.md, exactly."""

import random

import pytest

from gegenstrom_cli import demo_data
from gegenstrom_contracts.training_match import ItemKind
from training_match.engine import Gap, Learner, Ledger, OfferIndex, plan_one, plan_totals
from training_match.offers.csv_import import parse_offers
from training_match.offers.model import offer_doc, to_engine

pytestmark = pytest.mark.unit
SIEGEN_CONTROLLERS = [f"emp-controller-{i}" for i in range(6)]


def demo_offers() -> list:
    parsed = parse_offers("angebote.csv", demo_data.offers_csv({}))
    assert parsed.problems == []
    hr = [to_engine(offer_doc(i, spec)) for i, spec in parsed.offers.items()]
    rng = random.Random(1)
    mentors = [
        to_engine({"_id": f"mentor:{e}:sap-s4-co-pa", "kind": "mentor",
                   "competence_id": "sap-s4-co-pa", "reaches_level": 4, "hours": 8,
                   "site_ids": ["siegen"], "remote": True, "max_group": rng.choice([2, 3]),
                   "trainer_id": e})
        for e in SIEGEN_CONTROLLERS
    ]  # fmt: skip
    return hr + mentors


def kpi_employee() -> Learner:
    """S0001: Teamleiter/in Auftragsannahme in Siegen, with a gap on all five KPI items."""
    gaps = [("sap-s4-co-pa", 0, 3), ("excel-analysis", 1, 3), ("process-exchange", 1, 2),
            ("conversation-conflict", 1, 2), ("project-basics", 0, 2)]  # fmt: skip
    return Learner(
        "emp-s0001",
        "siegen",
        "auftragsannahme",
        tuple(Gap(c, now, target, priority=n + 1) for n, (c, now, target) in enumerate(gaps)),
    )


def test_the_kpi_employee_learns_almost_everything_in_house():
    plan = plan_one(kpi_employee(), OfferIndex(demo_offers()), Ledger())
    closing = {p.competence_id: p for p in plan.placements if p.closes_gap}
    assert {c: p.kind for c, p in closing.items()} == {
        "sap-s4-co-pa": ItemKind.MENTOR,
        "excel-analysis": ItemKind.INTERNAL_WORKSHOP,
        "process-exchange": ItemKind.EXCHANGE_CIRCLE,
        "conversation-conflict": ItemKind.EXTERNAL_COURSE,
        "project-basics": ItemKind.INTERNAL_WORKSHOP,
    }
    assert closing["excel-analysis"].offer_id == "excel-workshop-siegen"
    assert closing["project-basics"].offer_id == "pmo-project-basics"
    assert closing["conversation-conflict"].offer_id == "conflict-seminar"
    totals = plan_totals(plan.placements)
    assert totals.all_external_cost_eur == 1950 + 890 + 1290 + 1150 == 5280
    assert totals.external_cost_eur == 1290
    assert totals.external_cost_avoided_eur == 3990
    assert totals.in_house_share == pytest.approx(4 / 5)

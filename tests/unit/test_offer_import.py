"""Offers from CSV: every problem with line and column, nothing half read."""

import pytest

from gegenstrom_cli import demo_data
from training_match.offers.csv_import import parse_offers

pytestmark = pytest.mark.unit
HEADER = "offer_id;kind;title;competence_id;reaches_level;hours;cost_eur;site_ids;remote;provider"


def test_the_demo_offers_read_without_problems():
    parsed = parse_offers("angebote.csv", demo_data.offers_csv({}))
    assert parsed.problems == []
    assert len(parsed.offers) == len(demo_data.OFFERS)
    circle = parsed.offers["o2c-exchange-circle"]
    assert circle.chain == list(demo_data.PROCESSES) and circle.site_ids == list(demo_data.SITES)
    assert parsed.offers["sap-co-external"].remote is True
    assert parsed.offers["sap-co-external"].cost_eur == 1950


def test_each_bad_row_is_reported_with_line_and_column():
    text = "\n".join([
        HEADER,
        "ok;external_course;Kurs;kpi;3;16;900;;ja;IHK",
        "ok;self_study;Doppelt;kpi;1;2;0;;yes;",
        "no-place;self_study;Nirgends;kpi;1;2;0;;nein;",
        "level;self_study;Zu hoch;kpi;7;2;0;;yes;",
        "remote;self_study;Vielleicht;kpi;1;2;0;;vielleicht;",
        "nobody;internal_workshop;Ohne Trainer;kpi;2;8;0;hamburg;no;",
    ])  # fmt: skip
    parsed = parse_offers("offers.csv", text.encode())
    found = {(p.line, p.column): p.reason for p in parsed.problems}
    assert found[(3, "offer_id")] == "appears more than once"
    assert "site_ids or remote" in found[(4, "")]
    assert "less than or equal to 4" in found[(5, "reaches_level")]
    assert "not yes or no" in found[(6, "remote")]
    assert "trainer_id" in found[(7, "")]
    assert list(parsed.offers) == ["ok"]


def test_unknown_and_missing_columns_spoil_the_file():
    parsed = parse_offers("offers.csv", b"offer_id,kind,title,colour\nx,self_study,X,red\n")
    reasons = {(p.column, p.reason.split(";")[0]) for p in parsed.problems}
    assert ("colour", "unknown column") in reasons
    assert ("competence_id", "required column 'competence_id' is missing") in reasons
    assert parsed.offers == {}

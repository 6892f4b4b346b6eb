"""Scrubbing an erased employee's id from the documents of others that stay."""

from training_match.plans.erasure import _without_mentor
from training_match.plans.scrub import scrub


def item(kind: str, status: str, host_id: str | None, offer_id: str) -> dict:
    return {
        "kind": kind,
        "status": status,
        "host_id": host_id,
        "offer_id": offer_id,
        "considered": [offer_id, "kpi-course"],
        "reason": f"in-house: mentor ({offer_id}); also considered: kpi-course",
    }


def test_scrub_removes_every_mention_and_leaves_longer_ids_alone():
    doc = {
        "items": [item("mentor", "completed", "emp-m0", "mentor:emp-m0:kpi")],
        "excluded": ["mentor:emp-m0:kpi", "mentor:emp-m01:kpi"],
        "note": "emp-m01 stays",
        "count": 3,
    }
    clean = scrub(doc, "emp-m0")
    assert clean == {
        "items": [
            {
                "kind": "mentor",
                "status": "completed",
                "host_id": None,
                "offer_id": "mentor:erased:kpi",
                "considered": ["kpi-course"],
                "reason": "in-house: mentor (mentor:erased:kpi); also considered: kpi-course",
            }
        ],
        "excluded": ["mentor:emp-m01:kpi"],
        "note": "emp-m01 stays",
        "count": 3,
    }


def test_open_items_with_the_erased_mentor_go_finished_ones_stay():
    content = {
        "items": [
            item("mentor", "requested", "emp-m0", "mentor:emp-m0:kpi"),
            item("mentor", "confirmed", "emp-m0", "mentor:emp-m0:sap"),
            item("internal_workshop", "planned", "emp-m0", "sheets"),
            item("mentor", "accepted", "emp-m1", "mentor:emp-m1:kpi"),
        ],
        "excluded": [],
    }
    kept, dropped = _without_mentor(content, "emp-m0")
    assert dropped
    assert [i["offer_id"] for i in kept["items"]] == [
        "mentor:emp-m0:sap",
        "sheets",
        "mentor:emp-m1:kpi",
    ]
    assert _without_mentor(kept, "emp-m2") == (kept, False)

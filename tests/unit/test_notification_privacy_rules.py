"""Notification's privacy rules without servers: what an erasure matches, that privacy
events never reach webhook subscribers, and the digest periods retention relies on."""

import json
import re
from datetime import timedelta

import pytest

from gegenstrom_contracts import topics
from gegenstrom_contracts.privacy import (
    EmployeeErased,
    ErasureConfirmed,
    PersonalDataAccessed,
    WorksAgreementChanged,
)
from gegenstrom_contracts.training_match import (
    ItemKind,
    ItemStatus,
    LearningPlanItem,
    LearningPlanUpdated,
    MentorRequested,
    PlanTotals,
)
from gegenstrom_runtime.service import ServiceSpec
from notification import main
from notification.digest import EPOCH, last_period
from notification.domain import approval_messages
from notification.privacy import in_json, in_key, json_parts, people
from notification.webhooks.model import PUBLIC_EVENT_TYPES, PUBLIC_TOPICS

PRIVACY_EVENTS = [EmployeeErased, ErasureConfirmed, PersonalDataAccessed, WorksAgreementChanged]


def matches(query: dict, text: str) -> bool:
    return re.search(query["$regex"], text) is not None


@pytest.mark.parametrize(
    ("key", "found"),
    [
        ("emp-1:r:plan:3", True),
        ("role-hr:approval:r:emp-1:sap@3:course", True),
        ("mentor-9:mentor-request:emp-1:sap@3", True),
        ("r:emp-1", True),
        ("emp-12:r:plan:3", False),
        ("xemp-1:r:plan:3", False),
        ("role-hr:approval:r:emp-10:sap@3:course", False),
    ],
)
def test_an_erasure_matches_the_id_as_a_whole_part_of_a_key(key, found):
    assert matches(in_key("emp-1"), key) is found


def test_an_erasure_matches_the_id_anywhere_in_an_event_body_but_not_longer_ids():
    body = json.dumps({"subject": "emp-2", "data": {"member_ids": ["emp-3", "emp-1"]}})
    assert matches(in_json("emp-1"), body)
    notification = json.dumps({"data": {"notification_id": "role-hr:approval:r:emp-1:x"}})
    assert matches(in_json("emp-1"), notification)
    assert not matches(in_json("emp-1"), json.dumps({"subject": "emp-11", "x": "emp-1x"}))


def test_the_ids_an_event_could_name_are_found_for_the_tombstone_check():
    body = json.dumps({"subject": "emp-2", "data": {"notification_id": "emp-3:idea:i-17:2"}})
    assert {"emp-2", "emp-3", "subject"} <= json_parts(body)


def test_the_inbox_checks_everyone_the_event_names_against_the_tombstones():
    ids = dict(mentor_id="emp-m", mentee_id="emp-e", rollout_id="r", item_id="sap@3")
    request = MentorRequested(**ids, offer_id="o", competence_id="sap", target_level=3)
    assert people(request) == {"emp-m", "emp-e"}


def test_privacy_events_are_never_offered_to_webhook_subscribers():
    for event in PRIVACY_EVENTS:
        assert event.event_type not in PUBLIC_EVENT_TYPES
        assert event.topic not in PUBLIC_TOPICS


def test_notification_consumes_erasures_and_the_works_agreement_without_fan_out(monkeypatch):
    specs: list[ServiceSpec] = []
    original = main.create_service_app

    def capture(spec: ServiceSpec):
        specs.append(spec)
        return original(spec)

    monkeypatch.setattr(main, "create_service_app", capture)
    app = main.create_app()
    [spec] = specs
    wired = {c.topic: [e.__name__ for e in c.events] for c in spec.consumes(app.state.infra)}
    assert wired[topics.ERASURE] == ["EmployeeErased"]
    assert wired[topics.WORKS_AGREEMENT] == ["WorksAgreementChanged"]
    assert topics.ERASURE_CONFIRMATION in spec.publishes


def test_last_period_is_the_one_that_ended_before_now():
    week = timedelta(days=7)
    assert last_period(EPOCH + 3 * week + timedelta(hours=1), week) == (2, EPOCH + 2 * week)
    assert last_period(EPOCH + 3 * week, week) == (2, EPOCH + 2 * week)


def test_an_approval_for_hr_names_whom_it_concerns():
    item = LearningPlanItem(
        item_id="sap@3",
        competence_id="sap",
        target_level=3,
        kind=ItemKind.EXTERNAL_COURSE,
        status=ItemStatus.AWAITING_APPROVAL,
        hours=8,
        cost_eur=900,
        reason="external",
        offer_id="sap-course",
    )
    totals = PlanTotals(hours=8, cost_eur=900, external_cost_avoided_eur=0, in_house_share=0)
    plan = LearningPlanUpdated(
        employee_id="emp-1",
        rollout_id="r",
        plan_version=1,
        profile_version=1,
        items=[item],
        totals=totals,
    )
    [approval] = approval_messages(plan, "de")
    assert approval.about_employee_id == "emp-1"

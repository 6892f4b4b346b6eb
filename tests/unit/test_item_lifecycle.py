"""Who may move a learning item on, from which status, and what it leads to."""

import pytest

from gegenstrom_contracts.profiling import EvidenceSource
from gegenstrom_runtime.auth import Principal, Role
from training_match.plans.lifecycle import Action, Refused, decide

pytestmark = pytest.mark.unit
LEARNER, MENTOR = "emp-learner", "emp-mentor"


def item(kind: str = "mentor", status: str = "requested", host: str | None = MENTOR) -> dict:
    return {"kind": kind, "status": status, "host_id": host, "closes_gap": True, "item_id": "kpi@3"}


def who(subject: str, role: Role = Role.EMPLOYEE) -> Principal:
    return Principal(subject=subject, role=role)


def test_a_mentor_item_goes_from_request_to_confirmed_evidence():
    steps = [
        (Action.ACCEPT, MENTOR, "requested", "accepted", None),
        (Action.START, LEARNER, "accepted", "started", None),
        (Action.COMPLETE, LEARNER, "started", "completed", EvidenceSource.LEARNING_COMPLETED),
        (Action.CONFIRM, MENTOR, "completed", "confirmed", EvidenceSource.MENTOR_CONFIRMED),
    ]
    for action, subject, before, after, evidence in steps:
        decision = decide(item(status=before), LEARNER, action, who(subject))
        assert (decision.status, decision.replan, decision.evidence) == (after, False, evidence)


def test_declines_and_rejections_replan():
    assert decide(item(), LEARNER, Action.DECLINE, who(MENTOR)).replan
    course = item("external_course", "awaiting_approval", host=None)
    assert decide(course, LEARNER, Action.REJECT, who("hr-1", Role.HR)).replan
    assert decide(course, LEARNER, Action.APPROVE, who("adm", Role.ADMIN)).status == "accepted"


@pytest.mark.parametrize(
    ("the_item", "action", "subject", "role", "code", "says"),
    [
        (item(), Action.START, LEARNER, Role.EMPLOYEE, 409, "needs accepted, planned"),
        (item(), Action.ACCEPT, LEARNER, Role.EMPLOYEE, 403, "only the item's mentor"),
        (item(), Action.ACCEPT, "hr-1", Role.HR, 403, "only the item's mentor"),
        (item(status="started"), Action.COMPLETE, MENTOR, Role.EMPLOYEE, 403, "only the employee"),
        (
            item("external_course", "awaiting_approval", None),
            Action.APPROVE,
            LEARNER,
            Role.EMPLOYEE,
            403,
            "only HR",
        ),
        (
            item("self_study", "completed", None),
            Action.CONFIRM,
            MENTOR,
            Role.EMPLOYEE,
            409,
            "no mentor or trainer",
        ),
        (
            item("unmatched", "planned", None),
            Action.START,
            LEARNER,
            Role.EMPLOYEE,
            409,
            "nothing is planned",
        ),
    ],
)
def test_refusals_say_why(the_item, action, subject, role, code, says):
    with pytest.raises(Refused) as refused:
        decide(the_item, LEARNER, action, who(subject, role))
    assert refused.value.status_code == code
    assert says in str(refused.value)


def test_preparation_is_no_evidence_of_the_target():
    prep = item("self_study", "started", None) | {"closes_gap": False}
    assert decide(prep, LEARNER, Action.COMPLETE, who(LEARNER)).evidence is None

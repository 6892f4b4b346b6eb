"""The life of a learning item: who may move it from which status to which. Pure."""

from dataclasses import dataclass
from enum import StrEnum

from gegenstrom_contracts.profiling import EvidenceSource
from gegenstrom_contracts.training_match import ItemKind, ItemStatus
from gegenstrom_runtime.auth import Principal, Role

S = ItemStatus


class Action(StrEnum):
    ACCEPT = "accept"  # the mentor takes the mentee on
    DECLINE = "decline"  # the mentor cannot: the item is planned anew without them
    APPROVE = "approve"  # HR approves an external course
    REJECT = "reject"  # HR rejects it: the item is planned anew without that course
    START = "start"
    COMPLETE = "complete"
    CONFIRM = "confirm"  # the mentor or trainer confirms the level reached


class Actor(StrEnum):
    LEARNER = "the employee whose plan it is"
    HOST = "the item's mentor or trainer"
    HR = "HR or an admin"


@dataclass(frozen=True)
class Rule:
    actor: Actor
    from_statuses: frozenset[ItemStatus]
    to_status: ItemStatus
    replan: bool = False


RULES = {
    Action.ACCEPT: Rule(Actor.HOST, frozenset({S.REQUESTED}), S.ACCEPTED),
    Action.DECLINE: Rule(Actor.HOST, frozenset({S.REQUESTED, S.ACCEPTED}), S.DECLINED, True),
    Action.APPROVE: Rule(Actor.HR, frozenset({S.AWAITING_APPROVAL}), S.ACCEPTED),
    Action.REJECT: Rule(Actor.HR, frozenset({S.AWAITING_APPROVAL}), S.REJECTED, True),
    Action.START: Rule(Actor.LEARNER, frozenset({S.PLANNED, S.ACCEPTED}), S.STARTED),
    Action.COMPLETE: Rule(Actor.LEARNER, frozenset({S.STARTED}), S.COMPLETED),
    Action.CONFIRM: Rule(Actor.HOST, frozenset({S.COMPLETED}), S.CONFIRMED),
}
CONFIRMED_BY = {ItemKind.MENTOR: EvidenceSource.MENTOR_CONFIRMED}


class Refused(Exception):
    """The action does not fit the item or the caller; the message says why."""

    def __init__(self, message: str, status_code: int = 409) -> None:
        super().__init__(message)
        self.status_code = status_code


@dataclass(frozen=True)
class Decision:
    status: ItemStatus
    replan: bool
    evidence: EvidenceSource | None


def decide(item: dict, employee_id: str, action: Action, who: Principal) -> Decision:
    """What ``action`` by ``who`` does to ``item``; raises Refused when it may not."""
    rule = RULES[action]
    _check_actor(rule.actor, item, employee_id, who, action)
    status = ItemStatus(item["status"])
    if status not in rule.from_statuses:
        allowed = ", ".join(sorted(rule.from_statuses))
        raise Refused(f"cannot {action.value} an item that is {status.value} (needs {allowed})")
    if item["kind"] == ItemKind.UNMATCHED:
        raise Refused("nothing is planned for this gap yet, so there is nothing to do")
    return Decision(rule.to_status, rule.replan, _evidence(item, action))


def _check_actor(actor: Actor, item: dict, employee_id: str, who: Principal, action) -> None:
    allowed = {
        Actor.LEARNER: who.subject == employee_id,
        Actor.HOST: item.get("host_id") is not None and who.subject == item["host_id"],
        Actor.HR: who.role in (Role.HR, Role.ADMIN),
    }[actor]
    if not allowed:
        if actor is Actor.HOST and item.get("host_id") is None:
            raise Refused(f"this item has no mentor or trainer who could {action.value} it")
        raise Refused(f"only {actor.value} may {action.value} this item", 403)


def _evidence(item: dict, action: Action) -> EvidenceSource | None:
    """Completing a closing item is evidence; a mentor's or trainer's confirmation more so."""
    if not item["closes_gap"]:
        return None
    if action is Action.COMPLETE:
        return EvidenceSource.LEARNING_COMPLETED
    if action is Action.CONFIRM:
        return CONFIRMED_BY.get(ItemKind(item["kind"]), EvidenceSource.TRAINER_CONFIRMED)
    return None

"""Rollouts as management defines them, and the rules they must follow. Pure: no I/O."""

from pydantic import BaseModel, ConfigDict, Field

from gegenstrom_contracts.rollouts import IdeaKind, IdeaStatus, RolloutScope
from gegenstrom_contracts.types import Level, PseudonymousId, Ref
from intake.org.model import OrgData
from intake.personal import PERSONAL


class RolloutForm(RolloutScope):
    """A rollout: strategy top down, with its scope, waves and abstract requirements."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str = Field(min_length=1, max_length=200)
    strategic_lines: list[str] = Field(default_factory=list, max_length=20)


class ProposedItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    competence_id: Ref
    target_level: Level


class Proposal(BaseModel):
    """An employee's proposal of concrete competences for an abstract requirement."""

    model_config = ConfigDict(extra="forbid")
    items: list[ProposedItem] = Field(min_length=1, max_length=30)


class ConfirmedItem(ProposedItem):
    essential: bool = True


class ProfileForm(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[ConfirmedItem] = Field(min_length=1, max_length=30)


class IdeaForm(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    employee_id: PseudonymousId
    process_id: Ref | None = None
    kind: IdeaKind
    text: str = Field(min_length=3, max_length=2000, json_schema_extra=PERSONAL)


class IdeaAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    status: IdeaStatus
    # management's text about the idea, not about a person: not marked personal (and a
    # learning item's generated ``reason`` in training-match's events has the same name)
    reason: str = Field(min_length=3, max_length=2000)


def rollout_problems(form: RolloutForm, org: OrgData) -> list[str]:
    """Every reference the rollout makes that the organisation does not know, and more."""
    problems = [
        *_unknown("site", form.site_ids, org.sites),
        *_unknown("department", form.department_ids, org.departments),
        *_unknown("process", form.process_ids, org.processes),
        *_unknown("role", form.role_ids, org.roles),
        *_unknown("role (role change)", [c.to_role_id for c in form.role_changes], org.roles),
        *_repeated("wave site", [w.site_id for w in form.waves]),
        *_repeated("requirement", [r.requirement_id for r in form.requirements]),
        *_outside("wave site", [w.site_id for w in form.waves], form.site_ids),
        *_outside("role change", [c.from_role_id for c in form.role_changes], form.role_ids),
    ]
    for r in form.requirements:
        problems += _outside(f"requirement {r.requirement_id}: role", r.role_ids, form.role_ids)
        problems += _outside(
            f"requirement {r.requirement_id}: process", r.process_ids, form.process_ids
        )
    return problems


def _unknown(what: str, ids: list[str], known: dict) -> list[str]:
    return [f"unknown {what} '{i}'" for i in ids if i not in known]


def _repeated(what: str, ids: list[str]) -> list[str]:
    return [f"{what} '{i}' given more than once" for i in sorted(set(ids)) if ids.count(i) > 1]


def _outside(what: str, ids: list[str], scope: list[str]) -> list[str]:
    """Ids outside the rollout's scope; an empty scope includes everything."""
    return [f"{what} '{i}' is not in the rollout's scope" for i in ids if scope and i not in scope]


def in_scope(form: RolloutScope, employee: dict) -> bool:
    """Whether the rollout concerns an employee (by site, department, process and role)."""
    wanted = {
        "site_id": form.site_ids,
        "department_id": form.department_ids,
        "process_id": form.process_ids,
        "role_id": form.role_ids,
    }
    return all(not ids or employee.get(field) in ids for field, ids in wanted.items())


def new_role(form: RolloutScope, role_id: str) -> str:
    """The role an employee will have after the rollout (their current one if unchanged)."""
    return next((c.to_role_id for c in form.role_changes if c.from_role_id == role_id), role_id)

"""Competence profile rules: targets, current levels, gaps and strengths. Pure: no I/O.

The rules are described in docs/profiling-rules.md.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from gegenstrom_contracts.intake import EmployeeInputSubmitted
from gegenstrom_contracts.profiling import (
    CompetenceEvidenceRecorded,
    CompetenceGap,
    EvidenceSource,
    LevelSource,
    Strength,
    Target,
)
from gegenstrom_contracts.rollouts import Requirement, RequirementProfileConfirmed, RolloutPublished

Levels = dict[str, tuple[int, LevelSource]]

LEVEL_SOURCE_OF = {
    EvidenceSource.LEARNING_COMPLETED: LevelSource.LEARNING_COMPLETED,
    EvidenceSource.MENTOR_CONFIRMED: LevelSource.CONFIRMED,
    EvidenceSource.TRAINER_CONFIRMED: LevelSource.CONFIRMED,
}
PRECEDENCE = list(LevelSource)  # rising: none, self_rating, learning_completed, confirmed
UNKNOWN = (0, LevelSource.NONE)


@dataclass(frozen=True)
class Evidence:
    """A level an employee reached, as profiling keeps it."""

    competence_id: str
    level: int
    source: LevelSource
    observed_at: datetime
    evidence_id: str


@dataclass(frozen=True)
class Profile:
    """An employee's competence profile for one rollout."""

    role_id: str
    targets: list[Target]
    gaps: list[CompetenceGap]
    strengths: list[Strength]


def evidence_of(event: CompetenceEvidenceRecorded) -> Evidence:
    """The evidence an event records; mentor and trainer confirmations count as confirmed."""
    return Evidence(
        competence_id=event.competence_id,
        level=event.level,
        source=LEVEL_SOURCE_OF[event.source],
        observed_at=event.observed_at,
        evidence_id=event.evidence_id,
    )


def new_role(rollout: RolloutPublished | None, role_id: str) -> str:
    """The role the rollout changes ``role_id`` into; ``role_id`` itself when it stays."""
    changes = rollout.role_changes if rollout else []
    return next((c.to_role_id for c in changes if c.from_role_id == role_id), role_id)


def applies(requirement: Requirement, role_id: str, process_id: str | None) -> bool:
    """Whether a requirement concerns this role and process step; empty lists mean all."""
    role_fits = not requirement.role_ids or role_id in requirement.role_ids
    process_fits = not requirement.process_ids or process_id in requirement.process_ids
    return role_fits and process_fits


def targets_of(
    rollout: RolloutPublished | None,
    confirmed: Mapping[str, RequirementProfileConfirmed],
    employee: EmployeeInputSubmitted,
) -> list[Target]:
    """The levels the employee should reach: confirmed requirement profiles, then wishes."""
    by_competence: dict[str, Target] = {}
    for target in [*_required(rollout, confirmed, employee), *_wished(employee)]:
        earlier = by_competence.get(target.competence_id)
        by_competence[target.competence_id] = _merged(earlier, target)
    return sorted(by_competence.values(), key=lambda t: t.competence_id)


def current_levels(employee: EmployeeInputSubmitted, evidence: Sequence[Evidence]) -> Levels:
    """Each competence's level from its most trusted source, the latest within a source."""
    levels: Levels = {}
    for rating in employee.self_ratings:
        best = max(rating.level, _level(levels, rating.competence_id))
        levels[rating.competence_id] = (best, LevelSource.SELF_RATING)
    for item in sorted(evidence, key=_trust):
        levels[item.competence_id] = (item.level, item.source)
    return levels


def gaps_of(targets: list[Target], current: Levels, due_on: date | None) -> list[CompetenceGap]:
    """Targets above the current level, numbered by priority (essential, larger, by id)."""
    gaps = [
        _gap(t, current, due_on)
        for t in targets
        if t.target_level > _level(current, t.competence_id)
    ]
    ranked = sorted(gaps, key=lambda g: (not g.essential, -g.size, g.competence_id))
    return [g.model_copy(update={"priority": n}) for n, g in enumerate(ranked, start=1)]


def wave_start(rollout: RolloutPublished | None, site_id: str) -> date | None:
    """When the rollout's (first) wave starts at the site; None without one."""
    starts = [w.starts_on for w in (rollout.waves if rollout else []) if w.site_id == site_id]
    return min(starts, default=None)


def strengths_of(employee: EmployeeInputSubmitted, current: Levels) -> list[Strength]:
    """The competences the employee offers to teach, with their level and the capacity."""
    offer = employee.mentoring_offer
    if offer is None:
        return []
    return [
        Strength(competence_id=c, level=_level(current, c), mentoring_capacity=offer.capacity)
        for c in sorted(set(offer.competence_ids))
    ]


def profile_of(
    rollout: RolloutPublished | None,
    confirmed: Mapping[str, RequirementProfileConfirmed],
    employee: EmployeeInputSubmitted,
    evidence: Sequence[Evidence],
) -> Profile:
    """The employee's profile from what profiling knows about the rollout and them."""
    covering = _covering(rollout, employee.site_id)
    current = current_levels(employee, evidence)
    targets = targets_of(covering, confirmed, employee)
    return Profile(
        role_id=new_role(covering, employee.role_id),
        targets=targets,
        gaps=gaps_of(targets, current, wave_start(covering, employee.site_id)),
        strengths=strengths_of(employee, current),
    )


def content(profile: Profile) -> dict[str, Any]:
    """The profile as JSON-ready data; equal profiles give equal content."""
    return {
        "role_id": profile.role_id,
        "targets": [t.model_dump(mode="json") for t in profile.targets],
        "gaps": [g.model_dump(mode="json") for g in profile.gaps],
        "strengths": [s.model_dump(mode="json") for s in profile.strengths],
    }


def _covering(rollout: RolloutPublished | None, site_id: str) -> RolloutPublished | None:
    """The rollout if it covers the site."""
    return rollout if rollout and site_id in rollout.site_ids else None


def _required(
    rollout: RolloutPublished | None,
    confirmed: Mapping[str, RequirementProfileConfirmed],
    employee: EmployeeInputSubmitted,
) -> list[Target]:
    """The items of the confirmed profiles of the requirements for the employee's new role."""
    covering = _covering(rollout, employee.site_id)
    if covering is None:
        return []
    role_id = new_role(covering, employee.role_id)
    profiles = [
        confirmed[r.requirement_id]
        for r in covering.requirements
        if r.requirement_id in confirmed and applies(r, role_id, employee.process_step_id)
    ]
    return [t for p in profiles if p.rollout_id == covering.rollout_id for t in _targets_in(p)]


def _targets_in(profile: RequirementProfileConfirmed) -> list[Target]:
    """A confirmed profile's items as targets of its requirement."""
    return [
        Target(
            competence_id=item.competence_id,
            target_level=item.target_level,
            essential=item.essential,
            requirement_ids=[profile.requirement_id],
        )
        for item in profile.items
    ]


def _wished(employee: EmployeeInputSubmitted) -> list[Target]:
    """The employee's learning wishes as optional targets of their own."""
    return [
        Target(competence_id=w.competence_id, target_level=w.target_level, essential=False)
        for w in employee.learning_wishes
    ]


def _merged(earlier: Target | None, target: Target) -> Target:
    """Two targets on one competence: the higher level, essential if either is."""
    if earlier is None:
        return target
    return Target(
        competence_id=target.competence_id,
        target_level=max(earlier.target_level, target.target_level),
        essential=earlier.essential or target.essential,
        requirement_ids=sorted({*earlier.requirement_ids, *target.requirement_ids}),
    )


def _trust(evidence: Evidence) -> tuple[int, datetime, str]:
    """Orders evidence: source precedence, then time (naive counts as UTC), then id."""
    moment = evidence.observed_at
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return (PRECEDENCE.index(evidence.source), aware, evidence.evidence_id)


def _level(current: Levels, competence_id: str) -> int:
    """The current level of a competence; 0 where unknown."""
    return current.get(competence_id, UNKNOWN)[0]


def _gap(target: Target, current: Levels, due_on: date | None) -> CompetenceGap:
    """The gap between a target and the current level."""
    level, source = current.get(target.competence_id, UNKNOWN)
    return CompetenceGap(
        competence_id=target.competence_id,
        current_level=level,
        target_level=target.target_level,
        size=target.target_level - level,
        essential=target.essential,
        due_on=due_on,
        current_source=source,
    )

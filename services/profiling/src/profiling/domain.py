"""Competence profile rules. Pure: no I/O.

Until requirement profiles exist (a later issue), an employee's targets are their own
learning wishes; the current level is their self-rating (0 where they gave none).
"""

from pydantic import BaseModel

from gegenstrom_contracts.intake import EmployeeInputSubmitted
from gegenstrom_contracts.profiling import CompetenceGap, Strength


class Profile(BaseModel):
    gaps: list[CompetenceGap]
    strengths: list[Strength]


def profile_of(employee_input: EmployeeInputSubmitted) -> Profile:
    levels = {r.competence_id: r.level for r in employee_input.self_ratings}
    gaps = [
        CompetenceGap(
            competence_id=w.competence_id,
            current_level=levels.get(w.competence_id, 0),
            target_level=w.target_level,
            size=w.target_level - levels.get(w.competence_id, 0),
        )
        for w in sorted(employee_input.learning_wishes, key=lambda w: w.competence_id)
        if w.target_level > levels.get(w.competence_id, 0)
    ]
    return Profile(gaps=gaps, strengths=_strengths(employee_input, levels))


def _strengths(employee_input: EmployeeInputSubmitted, levels: dict[str, int]) -> list[Strength]:
    offer = employee_input.mentoring_offer
    if offer is None:
        return []
    return [
        Strength(competence_id=c, level=levels.get(c, 0), mentoring_capacity=offer.capacity)
        for c in sorted(set(offer.competence_ids))
    ]

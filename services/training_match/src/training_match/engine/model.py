"""The matching engine's vocabulary: learners with gaps, learning offers, placements.

Plain frozen dataclasses with slots, because the rollout-wide mode holds hundreds of
thousands of them at once.
"""

from dataclasses import dataclass, field
from datetime import date

from gegenstrom_contracts.training_match import ItemKind

IN_HOUSE = frozenset({ItemKind.MENTOR, ItemKind.INTERNAL_WORKSHOP, ItemKind.EXCHANGE_CIRCLE})
GROUPED = frozenset({ItemKind.INTERNAL_WORKSHOP, ItemKind.EXCHANGE_CIRCLE})
REMOTE = "remote"  # the group key of a group whose members join from sites the offer does not serve


@dataclass(frozen=True, slots=True)
class Gap:
    competence_id: str
    current_level: int
    target_level: int
    priority: int = 1  # 1 is the most urgent gap of the learner
    due_on: date | None = None  # start of the learner's rollout wave


@dataclass(frozen=True, slots=True)
class Learner:
    employee_id: str
    site_id: str
    process_id: str | None
    gaps: tuple[Gap, ...]


@dataclass(frozen=True, slots=True)
class Offer:
    """Something that brings a learner up to ``reaches_level`` in one competence.

    ``capacity`` is a mentor's mentees at once, or a workshop's or circle's maximum group
    size (None: unlimited). ``runs`` is how many groups of a workshop or circle may run per
    site (None: unlimited). ``chain`` lists an exchange circle's process steps from upstream
    to downstream.
    """

    offer_id: str
    kind: ItemKind
    competence_id: str
    reaches_level: int
    hours: float
    cost_eur: float = 0.0
    site_ids: frozenset[str] = frozenset()  # where it takes place; empty: remote only
    remote: bool = False  # learners from other sites may join remotely
    capacity: int | None = None
    min_group: int = 1
    runs: int | None = None
    host_id: str | None = None  # the mentor or trainer (pseudonymous id)
    chain: tuple[str, ...] = ()
    starts_on: date | None = None
    title: str = ""

    def closes(self, gap: Gap) -> bool:
        return self.competence_id == gap.competence_id and self.reaches_level >= gap.target_level


@dataclass(frozen=True, slots=True)
class Placement:
    """One learning item the engine chose for one gap of one learner."""

    employee_id: str
    competence_id: str
    target_level: int
    kind: ItemKind
    hours: float
    cost_eur: float
    reason: str  # why this was chosen and what else was considered; no personal data
    offer_id: str | None = None  # None: unmatched
    group_key: str | None = None  # site id or REMOTE for a workshop, circle or mentor
    group_id: str | None = None  # the mentor offer, cohort or circle whose capacity it uses
    host_id: str | None = None
    process_id: str | None = None  # the learner's process step (exchange circles mix them)
    starts_on: date | None = None
    due_on: date | None = None
    closes_gap: bool = True  # False: preparation (reaches less than the target)
    considered: tuple[str, ...] = ()  # offer ids ranked below the chosen one
    external_equivalent_eur: float = 0.0  # cheapest external course for this gap, 0 if none

    @property
    def key(self) -> str:
        """Stable id of the item within the learner's plan."""
        suffix = "" if self.closes_gap else f"/prep/{self.offer_id}"
        return f"{self.competence_id}@{self.target_level}{suffix}"


@dataclass(frozen=True, slots=True)
class Plan:
    employee_id: str
    placements: tuple[Placement, ...] = field(default_factory=tuple)

"""Learning offers as HR manages them, and mentors as employees offer themselves.

Stored as documents in the ``offers`` collection; the matching engine reads them as
``engine.Offer``.
"""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gegenstrom_contracts.profiling import CompetenceProfileUpdated
from gegenstrom_contracts.training_match import ItemKind
from gegenstrom_contracts.types import PseudonymousId, Ref
from training_match.engine import Offer

HrKind = Literal["internal_workshop", "exchange_circle", "self_study", "external_course"]
HOSTED = {"internal_workshop"}


class OfferSpec(BaseModel):
    """Body of ``PUT /v1/offers/{offer_id}``: a workshop, circle, self-study or course."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: HrKind
    title: str = Field(min_length=1, max_length=200)
    competence_id: Ref
    reaches_level: int = Field(ge=1, le=4, description="The level a learner reaches with it.")
    hours: float = Field(gt=0, le=1000)
    cost_eur: float = Field(0, ge=0, le=1_000_000, description="Per person.")
    site_ids: list[Ref] = Field(default_factory=list, description="Where it takes place.")
    remote: bool = Field(False, description="Learners from other sites can take part remotely.")
    min_group: int = Field(1, ge=1, le=1000)
    max_group: int | None = Field(None, ge=1, le=1000)
    runs: int | None = Field(None, ge=1, le=1000, description="Groups per site.")
    trainer_id: PseudonymousId | None = None
    chain: list[Ref] = Field(
        default_factory=list, description="Exchange circle: process steps, upstream first."
    )
    starts_on: date | None = None
    provider: str | None = Field(None, max_length=200)

    @model_validator(mode="after")
    def _consistent(self) -> "OfferSpec":
        if not self.site_ids and not self.remote:
            raise ValueError("give site_ids or remote=true: otherwise nobody can take part")
        if self.max_group is not None and self.max_group < self.min_group:
            raise ValueError(f"max_group {self.max_group} is below min_group {self.min_group}")
        if self.kind in HOSTED and not self.trainer_id:
            raise ValueError("an internal workshop needs a trainer_id (the internal trainer)")
        if self.kind == "external_course" and not self.provider:
            raise ValueError("an external course needs a provider")
        if self.chain and self.kind != "exchange_circle":
            raise ValueError("only an exchange circle has a process chain")
        return self


def offer_doc(offer_id: str, spec: OfferSpec) -> dict:
    return {"_id": offer_id, "source": "hr", "active": True, **spec.model_dump(mode="json")}


def mentor_docs(profile: CompetenceProfileUpdated, hours: float) -> list[dict]:
    """The employee's mentoring offers, one per competence they offered to pass on."""
    return [
        {
            "_id": f"mentor:{profile.employee_id}:{s.competence_id}",
            "source": "profile",
            "active": True,
            "kind": ItemKind.MENTOR.value,
            "title": f"mentoring in {s.competence_id}",
            "competence_id": s.competence_id,
            "reaches_level": s.level,
            "hours": hours,
            "cost_eur": 0,
            "site_ids": [profile.site_id],
            "remote": True,
            "min_group": 1,
            "max_group": s.mentoring_capacity,
            "trainer_id": profile.employee_id,
        }
        for s in profile.strengths
        if s.mentoring_capacity > 0
    ]


def to_engine(doc: dict) -> Offer:
    starts_on = doc.get("starts_on")
    return Offer(
        offer_id=doc["_id"],
        kind=ItemKind(doc["kind"]),
        competence_id=doc["competence_id"],
        reaches_level=doc["reaches_level"],
        hours=doc["hours"],
        cost_eur=doc.get("cost_eur", 0),
        site_ids=frozenset(doc.get("site_ids", ())),
        remote=doc.get("remote", False),
        capacity=doc.get("max_group"),
        min_group=doc.get("min_group", 1),
        runs=doc.get("runs"),
        host_id=doc.get("trainer_id"),
        chain=tuple(doc.get("chain", ())),
        starts_on=date.fromisoformat(starts_on) if starts_on else None,
        title=doc.get("title", ""),
    )


def public(doc: dict) -> dict:
    """An offer document as the API shows it."""
    return {"offer_id": doc["_id"], **{k: v for k, v in doc.items() if k != "_id"}}

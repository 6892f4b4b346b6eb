"""Planning use cases: one learner against the current places, or a whole rollout at once.

Both record the result the same way: items that stay keep their status, new items start
in theirs (a mentor is asked, an external course waits for HR), places are taken and
freed in the group book, and a new plan version is published only when it changed.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from pymongo.asynchronous.client_session import AsyncClientSession

from gegenstrom_contracts.envelope import Envelope, Event
from gegenstrom_contracts.training_match import (
    CohortFormed,
    ItemKind,
    ItemStatus,
    LearningPlanUpdated,
    MentorRequested,
)
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from training_match.engine import (
    REMOTE,
    Learner,
    Offer,
    OfferIndex,
    Placement,
    Plan,
    plan_one,
    plan_rollout,
    plan_totals,
)
from training_match.offers.repository import OfferRepository
from training_match.plans.groups import GroupBook, member_key
from training_match.plans.items import KEPT, first_status, public_item, to_item, to_placement
from training_match.plans.items import plan_totals as public_totals
from training_match.plans.repository import PlanRepository, plan_key, to_learner

SOURCE = "/gegenstrom/training-match"


@dataclass
class Emitter:
    """Publishes events caused by ``cause`` (stable ids), or new ones for HTTP requests."""

    tx: Transaction
    cause: Envelope | None = None

    def emit(self, event: Event, discriminator: str) -> None:
        if self.cause is None:
            self.tx.publish(Envelope(event, SOURCE))
        else:
            self.tx.publish(self.cause.caused(event, SOURCE, discriminator))


@dataclass
class Recording:
    """What one planning run needs to record its plans."""

    emitter: Emitter
    book: GroupBook
    offers: dict[str, Offer]


class Planner:
    def __init__(self, infra: Infrastructure) -> None:
        self._infra = infra
        self.plans = PlanRepository(infra.db)
        self.offers = OfferRepository(infra.db)

    async def plan_learner(
        self, emitter: Emitter, rollout_id: str, employee_id: str, exclude: frozenset = frozenset()
    ) -> None:
        """Incremental mode: this learner's gaps against the places others hold now."""
        await self.plan_learners(rollout_id, {employee_id: emitter}, exclude)

    async def plan_learners(
        self, rollout_id: str, emitters: dict[str, Emitter], exclude: frozenset = frozenset()
    ) -> None:
        """Incremental mode for several learners, one after the other against one ledger,
        with one read per collection and the plans saved at once."""
        tx = next(iter(emitters.values())).tx
        session = tx.session
        learner_docs = await self.plans.learners_among(rollout_id, list(emitters), session)
        if not learner_docs:
            return
        current = await self.plans.plans_among(rollout_id, list(emitters), session)
        items = {e: current[e]["content"]["items"] if e in current else [] for e in emitters}
        learners = {d["employee_id"]: to_learner(d) for d in learner_docs}
        previous = {e: [to_placement(e, i) for i in items[e]] for e in learners}
        offers, book = await self._offers_and_book(learners.values(), previous, session)
        ledger, index = book.ledger(), OfferIndex(offers)
        by_id = {o.offer_id: o for o in offers}
        drafts = []
        for doc in learner_docs:
            employee_id = doc["employee_id"]
            excluded = _excluded(current.get(employee_id)) | exclude
            plan = plan_one(
                learners[employee_id],
                index,
                ledger,
                previous=previous[employee_id],
                pinned=_pinned(i for i in items[employee_id] if i["offer_id"] not in exclude),
                excluded=excluded,
            )
            run = Recording(emitters[employee_id], book, by_id)
            drafts.append(self._draft(run, rollout_id, doc, items[employee_id], plan, excluded))
            self._announce_formed(run)
        await self._save(rollout_id, drafts, session)
        await book.save(self._infra.db, tx)

    async def _offers_and_book(
        self,
        learners: Iterable[Learner],
        previous: dict[str, list[Placement]],
        session: AsyncClientSession,
    ) -> tuple[list[Offer], GroupBook]:
        held = [p for placements in previous.values() for p in placements]
        competences = {g.competence_id for learner in learners for g in learner.gaps}
        competences |= {p.competence_id for p in held}
        offers = await self.offers.for_competences(competences, session)
        offer_ids = {o.offer_id for o in offers} | {p.offer_id for p in held if p.offer_id}
        return offers, await GroupBook.load(self._infra.db, offer_ids, session)

    async def plan_rollout(self, emitter: Emitter, rollout_id: str) -> int:
        """Rollout-wide mode: every non-kept item of the rollout planned anew, at once.

        Returns how many plans changed.
        """
        session = emitter.tx.session
        learner_docs = await self.plans.learners_of(rollout_id, session)
        current = await self.plans.plans_of(rollout_id, session)
        offers = await self.offers.active(session)
        held = {i["offer_id"] for doc in current.values() for i in doc["content"]["items"]}
        ids = {o.offer_id for o in offers} | (held - {None})
        book = await GroupBook.load(self._infra.db, ids, session)
        ledger = book.ledger()
        pinned: dict[str, list[Placement]] = defaultdict(list)
        for employee_id, doc in current.items():
            for item in doc["content"]["items"]:
                placement = to_placement(employee_id, item)
                if item["status"] in KEPT:
                    pinned[employee_id].append(placement)
                else:
                    ledger.release(placement)  # free for this run; the book changes on record
        learners = [to_learner(d) for d in learner_docs]
        excluded = {e: _excluded(doc) for e, doc in current.items()}
        plans = plan_rollout(learners, OfferIndex(offers), ledger, pinned=pinned, excluded=excluded)
        run = Recording(emitter, book, {o.offer_id: o for o in offers})
        drafts = []
        for doc in learner_docs:
            employee_id = doc["employee_id"]
            old = current.get(employee_id)
            items = old["content"]["items"] if old else []
            plan = plans.get(employee_id, Plan(employee_id))
            drafts.append(
                self._draft(
                    run, rollout_id, doc, items, plan, excluded.get(employee_id, frozenset())
                )
            )
        changed = await self._save(rollout_id, drafts, session)
        self._announce_formed(run)
        await book.save(self._infra.db, emitter.tx)
        return changed

    def _draft(
        self,
        run: Recording,
        rollout_id: str,
        learner_doc: dict,
        items: list[dict],
        plan: Plan,
        excluded: frozenset,
    ) -> "Draft":
        """The plan's new content; places taken and freed in the book, mentors asked."""
        employee_id = learner_doc["employee_id"]
        member = member_key(rollout_id, employee_id)
        before = {_identity(i): i for i in items}
        after = {(p.key, p.offer_id, p.group_id): p for p in plan.placements}
        for identity, item in before.items():
            if identity not in after:
                run.book.release(member, to_placement(employee_id, item))
        new_items = []
        for identity, placement in after.items():
            old = before.get(identity)
            status = ItemStatus(old["status"]) if old else first_status(placement)
            if old is None:
                run.book.reserve(member, placement)
                self._request_mentor(run.emitter, rollout_id, placement)
            new_items.append(to_item(placement, status, run.offers))
        totals = public_totals(plan_totals(plan.placements))
        content = {
            "items": new_items,
            "excluded": sorted(excluded),
            "totals": totals.model_dump(mode="json"),
        }
        return Draft(run.emitter, learner_doc, content)

    async def _save(
        self, rollout_id: str, drafts: list["Draft"], session: AsyncClientSession
    ) -> int:
        """Save the drafts as new plan versions where they changed, and publish those."""
        contents = {plan_key(rollout_id, d.employee_id): d.content for d in drafts}
        sources = {plan_key(rollout_id, d.employee_id): d.profile_version for d in drafts}
        versions = await self.plans.plans.save_many(contents, session, sources)
        changed = 0
        for draft in drafts:
            version = versions[plan_key(rollout_id, draft.employee_id)]
            if version is not None:
                draft.emitter.emit(
                    draft.event(rollout_id, version), f"{draft.employee_id}@{version}"
                )
                changed += 1
        return changed

    async def set_status(
        self,
        emitter: Emitter,
        rollout_id: str,
        employee_id: str,
        item_id: str,
        status: ItemStatus,
    ) -> None:
        """Move one item on; everything else in the plan stays as it is."""
        session = emitter.tx.session
        doc = await self.plans.plan(rollout_id, employee_id, session)
        assert doc is not None  # the caller found the item in it
        learner = await self.plans.learner(rollout_id, employee_id, session)
        content = doc["content"]
        for item in content["items"]:
            if item["item_id"] == item_id:
                item["status"] = status.value
        version = await self.plans.plans.save(plan_key(rollout_id, employee_id), content, session)
        if version is not None:
            event = LearningPlanUpdated(
                employee_id=employee_id,
                rollout_id=rollout_id,
                plan_version=version,
                profile_version=doc["source_version"] or 1,
                site_id=learner["site_id"] if learner else None,
                items=[public_item(i) for i in content["items"]],
                totals=content["totals"],
            )
            emitter.emit(event, f"{employee_id}@{version}")

    def _request_mentor(self, emitter: Emitter, rollout_id: str, placement: Placement) -> None:
        if placement.kind is not ItemKind.MENTOR or placement.host_id is None:
            return
        request = MentorRequested(
            mentor_id=placement.host_id,
            mentee_id=placement.employee_id,
            rollout_id=rollout_id,
            item_id=placement.key,
            offer_id=placement.offer_id or "",
            competence_id=placement.competence_id,
            target_level=placement.target_level,
        )
        emitter.emit(request, f"{placement.employee_id}/{placement.key}/{placement.group_id}")

    def _announce_formed(self, run: Recording) -> None:
        """A cohort-formed event for each group this run brought to its minimum size."""
        for group in run.book.newly_formed(run.offers):
            offer = run.offers[group["offer_id"]]
            cohort = CohortFormed(
                group_id=group["_id"],
                offer_id=offer.offer_id,
                kind=offer.kind,
                competence_id=offer.competence_id,
                site_id=None if group["group_key"] == REMOTE else group["group_key"],
                host_id=offer.host_id,
                member_ids=sorted(m["member"].rsplit(":", 1)[1] for m in group["members"]),
                starts_on=offer.starts_on,
            )
            run.emitter.emit(cohort, group["_id"])


@dataclass
class Draft:
    """One learner's plan content, before it is saved as a version."""

    emitter: Emitter
    learner_doc: dict
    content: dict

    @property
    def employee_id(self) -> str:
        return self.learner_doc["employee_id"]

    @property
    def profile_version(self) -> int:
        return self.learner_doc["profile_version"]

    def event(self, rollout_id: str, version: int) -> LearningPlanUpdated:
        return LearningPlanUpdated(
            employee_id=self.employee_id,
            rollout_id=rollout_id,
            plan_version=version,
            profile_version=self.profile_version,
            site_id=self.learner_doc["site_id"],
            items=[public_item(i) for i in self.content["items"]],
            totals=self.content["totals"],
        )


def _identity(item: dict) -> tuple:
    return (item["item_id"], item["offer_id"], item["group_id"])


def _pinned(items: Iterable[dict]) -> frozenset[str]:
    return frozenset(i["item_id"] for i in items if i["status"] in KEPT)


def _excluded(plan_doc: dict | None) -> frozenset[str]:
    return frozenset(plan_doc["content"]["excluded"]) if plan_doc else frozenset()

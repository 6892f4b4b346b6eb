"""Use cases of rollouts: define, propose, confirm profiles, and work on ideas together."""

import uuid
from datetime import UTC, datetime

from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.rollouts import (
    IdeaStatus,
    IdeaStatusChanged,
    ProfileItem,
    RequirementProfileConfirmed,
    RolloutPublished,
)
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from gegenstrom_runtime.versioned import VersionedStore
from intake.catalog.repository import CatalogRepository
from intake.errors import Rejected
from intake.org.repository import OrgRepository
from intake.rollouts.model import (
    IdeaAnswer,
    IdeaForm,
    ProfileForm,
    Proposal,
    RolloutForm,
    rollout_problems,
)

SOURCE = "/gegenstrom/intake/rollouts"


def rollouts(infra: Infrastructure) -> VersionedStore:
    return VersionedStore(infra.db["rollouts"])


def profiles(infra: Infrastructure) -> VersionedStore:
    return VersionedStore(infra.db["requirement_profiles"])


async def rollout_of(infra: Infrastructure, rollout_id: str, session=None) -> RolloutForm:
    doc = await rollouts(infra).get(rollout_id, session)
    if doc is None:
        raise Rejected([f"no rollout {rollout_id}"], status=404)
    return RolloutForm.model_validate(doc["content"])


async def put_rollout(infra: Infrastructure, rollout_id: str, form: RolloutForm) -> int | None:
    """Store the rollout as a new version and publish it; None when nothing changed."""

    async def work(tx: Transaction) -> int | None:
        problems = rollout_problems(form, await OrgRepository(infra.db).load_structure(tx.session))
        if problems:
            raise Rejected(problems)
        version = await rollouts(infra).save(rollout_id, form.model_dump(mode="json"), tx.session)
        if version is not None:
            event = RolloutPublished(
                rollout_id=rollout_id,
                rollout_version=version,
                **form.model_dump(exclude={"strategic_lines"}),
            )
            tx.publish(Envelope(event, SOURCE))
        return version

    return await infra.uow.commit(work)


async def propose(
    infra: Infrastructure,
    rollout_id: str,
    requirement_id: str,
    employee_id: str,
    proposal: Proposal,
) -> None:
    """Keep the employee's proposal for a requirement (a new one replaces the old)."""

    async def work(tx: Transaction) -> None:
        await _requirement(infra, rollout_id, requirement_id, tx)
        if not await OrgRepository(infra.db).employees.find_one(
            {"_id": employee_id}, {"_id": 1}, session=tx.session
        ):
            raise Rejected([f"unknown employee {employee_id}"])  # e.g. erased meanwhile
        await known_competences(infra, [i.competence_id for i in proposal.items], tx)
        await infra.db["proposals"].replace_one(
            {"_id": f"{rollout_id}:{requirement_id}:{employee_id}"},
            {
                "rollout_id": rollout_id,
                "requirement_id": requirement_id,
                "employee_id": employee_id,
                **proposal.model_dump(),
                "at": datetime.now(UTC),
            },
            upsert=True,
            session=tx.session,
        )

    await infra.uow.commit(work)


async def proposal_summary(infra: Infrastructure, rollout_id: str, requirement_id: str) -> dict:
    """How many employees proposed which competence, at which levels."""
    match = {"rollout_id": rollout_id, "requirement_id": requirement_id}
    pipeline: list[dict] = [
        {"$match": match},
        {"$unwind": "$items"},
        {
            "$group": {
                "_id": "$items.competence_id",
                "proposed_by": {"$sum": 1},
                "levels": {"$push": "$items.target_level"},
            }
        },
        {"$sort": {"proposed_by": -1, "_id": 1}},
    ]
    rows = await (await infra.db["proposals"].aggregate(pipeline)).to_list()
    return {
        "proposals": await infra.db["proposals"].count_documents(match),
        "competences": [
            {
                "competence_id": r["_id"],
                "proposed_by": r["proposed_by"],
                "levels": {
                    str(level): r["levels"].count(level) for level in sorted(set(r["levels"]))
                },
            }
            for r in rows
        ],
    }


async def confirm_profile(
    infra: Infrastructure, rollout_id: str, requirement_id: str, form: ProfileForm
) -> int | None:
    """HR confirms the concrete profile: a new version is published when it changed."""

    async def work(tx: Transaction) -> int | None:
        requirement = await _requirement(infra, rollout_id, requirement_id, tx)
        categories = await known_competences(infra, [i.competence_id for i in form.items], tx)
        key = f"{rollout_id}:{requirement_id}"
        version = await profiles(infra).save(key, form.model_dump(mode="json"), tx.session)
        if version is not None:
            considered = await infra.db["proposals"].count_documents(
                {"rollout_id": rollout_id, "requirement_id": requirement_id}, session=tx.session
            )
            items = [
                ProfileItem(**i.model_dump(), category=categories[i.competence_id])
                for i in form.items
            ]
            tx.publish(
                Envelope(
                    RequirementProfileConfirmed(
                        rollout_id=rollout_id,
                        requirement_id=requirement_id,
                        profile_version=version,
                        role_ids=requirement.role_ids,
                        process_ids=requirement.process_ids,
                        items=items,
                        proposals_considered=considered,
                    ),
                    SOURCE,
                )
            )
        return version

    return await infra.uow.commit(work)


async def submit_idea(infra: Infrastructure, rollout_id: str, form: IdeaForm) -> str:
    """Register an employee's idea with the status new (an event, so they can be told)."""

    async def work(tx: Transaction) -> str:
        rollout = await rollout_of(infra, rollout_id, tx.session)
        if form.process_id and not await infra.db["processes"].find_one(
            {"_id": form.process_id}, session=tx.session
        ):
            raise Rejected([f"unknown process '{form.process_id}'"])
        if form.process_id and rollout.process_ids and form.process_id not in rollout.process_ids:
            raise Rejected([f"process '{form.process_id}' is not in rollout {rollout_id}"])
        author = await OrgRepository(infra.db).employees.find_one(
            {"_id": form.employee_id}, session=tx.session
        )
        if author is None:
            raise Rejected([f"unknown employee {form.employee_id}"])
        idea_id = f"idea-{uuid.uuid4().hex[:12]}"
        doc = {
            **form.model_dump(exclude={"employee_id"}),
            "author_id": form.employee_id,
            "rollout_id": rollout_id,
            "site_id": author["site_id"],
            "status": IdeaStatus.NEW.value,
            "status_version": 1,
            "answers": [],
            "created_at": datetime.now(UTC),
        }
        await infra.db["ideas"].insert_one({"_id": idea_id, **doc}, session=tx.session)
        tx.publish(Envelope(_idea_event(idea_id, doc), SOURCE))
        return idea_id

    return await infra.uow.commit(work)


async def answer_idea(infra: Infrastructure, idea: dict, answer: IdeaAnswer, role: str) -> dict:
    """Management or HR sets the idea's status with a reason; the author is told."""

    async def work(tx: Transaction) -> dict:
        entry = {
            "status": answer.status.value,
            "reason": answer.reason,
            "by_role": role,
            "at": datetime.now(UTC),
        }
        updated = await infra.db["ideas"].find_one_and_update(
            {"_id": idea["_id"], "status_version": idea["status_version"]},
            {
                "$set": {"status": answer.status.value},
                "$inc": {"status_version": 1},
                "$push": {"answers": entry},
            },
            return_document=True,
            session=tx.session,
        )
        if updated is None:
            raise Rejected([f"idea {idea['_id']} was answered meanwhile; reload"], status=409)
        tx.publish(Envelope(_idea_event(idea["_id"], updated), SOURCE))
        return updated

    return await infra.uow.commit(work)


def _idea_event(idea_id: str, doc: dict) -> IdeaStatusChanged:
    return IdeaStatusChanged(
        idea_id=idea_id,
        rollout_id=doc["rollout_id"],
        process_id=doc["process_id"],
        kind=doc["kind"],
        author_id=doc["author_id"],
        status=doc["status"],
        status_version=doc["status_version"],
    )


async def _requirement(infra: Infrastructure, rollout_id: str, requirement_id: str, tx):
    rollout = await rollout_of(infra, rollout_id, tx.session)
    for requirement in rollout.requirements:
        if requirement.requirement_id == requirement_id:
            return requirement
    raise Rejected([f"rollout {rollout_id} has no requirement {requirement_id}"], status=404)


async def known_competences(infra: Infrastructure, ids: list[str], tx) -> dict[str, str]:
    """The category of each competence; unknown ones are rejected."""
    cursor = CatalogRepository(infra.db).competences.find(
        {"_id": {"$in": ids}}, {"category": 1}, session=tx.session
    )
    categories = {doc["_id"]: doc["category"] async for doc in cursor}
    missing = sorted(set(ids) - set(categories))
    if missing:
        raise Rejected([f"unknown competence '{m}'" for m in missing])
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise Rejected([f"competence '{r}' given more than once" for r in repeated])
    return categories

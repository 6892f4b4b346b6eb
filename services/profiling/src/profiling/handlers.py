"""Use cases of profiling: keep what arrives, and re-profile exactly the employees it
concerns. Each profile whose content really changed is published once, as a new version."""

import re

from pymongo import ReplaceOne

from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.intake import EmployeeInputSubmitted
from gegenstrom_contracts.org import EmployeeAssignmentChanged
from gegenstrom_contracts.profiling import CompetenceEvidenceRecorded, CompetenceProfileUpdated
from gegenstrom_contracts.rollouts import RequirementProfileConfirmed, RolloutPublished
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from gegenstrom_runtime.versioned import VersionedStore
from profiling.rules import Profile, applies, content, evidence_of, new_role, profile_of
from profiling.state import ProfilingState

SOURCE = "/gegenstrom/profiling"


def profiles(infra: Infrastructure) -> VersionedStore:
    return VersionedStore(infra.db["profiles"])


async def on_inputs(infra: Infrastructure, envelopes: list[Envelope]) -> None:
    """Keep the newest input of each employee and re-profile them, a whole batch with one
    read and one write per collection; erased employees' are dropped."""
    state, guard = ProfilingState(infra.db), infra.guard

    async def work(tx: Transaction, fresh: list[Envelope]) -> None:
        admitted = await guard.admitted(tx.session, (e.subject for e in fresh))
        newest: dict[str, Envelope] = {}
        for envelope in (e for e in fresh if e.subject in admitted):
            event: EmployeeInputSubmitted = envelope.data  # type: ignore[assignment]
            key = f"{event.rollout_id}:{event.employee_id}"
            if key not in newest or newest[key].data.input_version < event.input_version:
                newest[key] = envelope
        docs = {key: (e.data.input_version, _input_doc(e.data)) for key, e in newest.items()}
        stored = await state.keep_newer_many(state.inputs, docs, tx.session)
        by_rollout: dict[str, list[tuple[Envelope, EmployeeInputSubmitted]]] = {}
        for key in stored:
            event = newest[key].data  # type: ignore[assignment]
            by_rollout.setdefault(event.rollout_id, []).append((newest[key], event))
        for rollout_id, caused in by_rollout.items():
            await reprofile_each(infra, tx, rollout_id, caused)

    await infra.uow.commit_each(envelopes, work)


def _input_doc(event: EmployeeInputSubmitted) -> dict:
    return {
        "rollout_id": event.rollout_id,
        "employee_id": event.employee_id,
        "event": event.model_dump(mode="json"),
    }


async def on_rollout(infra: Infrastructure, envelope: Envelope) -> None:
    event: RolloutPublished = envelope.data  # type: ignore[assignment]
    state = ProfilingState(infra.db)

    async def work(tx: Transaction) -> None:
        doc = {"event": event.model_dump(mode="json")}
        if await state.keep_newer(
            state.rollouts, event.rollout_id, event.rollout_version, doc, tx.session
        ):
            inputs = await state.inputs_of({"rollout_id": event.rollout_id}, tx.session)
            await reprofile(infra, tx, envelope, event.rollout_id, inputs)

    await infra.uow.commit(work, event_id=envelope.id)


async def on_requirement_profile(infra: Infrastructure, envelope: Envelope) -> None:
    event: RequirementProfileConfirmed = envelope.data  # type: ignore[assignment]
    state = ProfilingState(infra.db)

    async def work(tx: Transaction) -> None:
        key = f"{event.rollout_id}:{event.requirement_id}"
        doc = {
            "rollout_id": event.rollout_id,
            "requirement_id": event.requirement_id,
            "event": event.model_dump(mode="json"),
        }
        if await state.keep_newer(
            state.requirement_profiles, key, event.profile_version, doc, tx.session
        ):
            concerned = await _concerned_by(infra, state, event, tx)
            await reprofile(infra, tx, envelope, event.rollout_id, concerned)

    await infra.uow.commit(work, event_id=envelope.id)


async def _concerned_by(
    infra: Infrastructure,
    state: ProfilingState,
    event: RequirementProfileConfirmed,
    tx: Transaction,
) -> list[EmployeeInputSubmitted]:
    """Employees the requirement applies to now, and those whose targets came from it."""
    rollout = await state.rollout(event.rollout_id, tx.session)
    requirement = next(
        (
            r
            for r in (rollout.requirements if rollout else [])
            if r.requirement_id == event.requirement_id
        ),
        None,
    )
    had_it = {
        doc["_id"].split(":", 1)[1]
        async for doc in infra.db["profiles"].find(
            {
                "content.targets.requirement_ids": event.requirement_id,
                "_id": {"$regex": f"^{re.escape(event.rollout_id)}:"},
            },
            {"_id": 1},
            session=tx.session,
        )
    }
    inputs = await state.inputs_of({"rollout_id": event.rollout_id}, tx.session)
    return [
        i
        for i in inputs
        if i.employee_id in had_it
        or (requirement and applies(requirement, new_role(rollout, i.role_id), i.process_step_id))
    ]


async def on_evidence(infra: Infrastructure, envelope: Envelope) -> None:
    event: CompetenceEvidenceRecorded = envelope.data  # type: ignore[assignment]
    state = ProfilingState(infra.db)

    async def work(tx: Transaction) -> None:
        if not await infra.guard.admits(tx.session, event.employee_id):
            return
        if await state.add_evidence(evidence_of(event), event.employee_id, tx.session):
            for employee_input in await state.inputs_of(
                {"employee_id": event.employee_id}, tx.session
            ):
                await reprofile(infra, tx, envelope, employee_input.rollout_id, [employee_input])

    await infra.uow.commit(work, event_id=envelope.id)


async def on_assignments(infra: Infrastructure, envelopes: list[Envelope]) -> None:
    """Keep each employee's newest assignment, a whole batch with one guard write and read
    and one bulk write; erased employees' are dropped. The event carries no version, so
    the last one of an employee in the batch wins (Kafka keeps each key's order)."""

    async def work(tx: Transaction, fresh: list[Envelope]) -> None:
        admitted = await infra.guard.admitted(tx.session, (e.subject for e in fresh))
        newest: dict[str, EmployeeAssignmentChanged] = {}
        for envelope in fresh:
            event: EmployeeAssignmentChanged = envelope.data  # type: ignore[assignment]
            if event.employee_id in admitted:
                newest[event.employee_id] = event
        if newest:
            writes = [
                ReplaceOne({"_id": employee_id}, event.model_dump(mode="json"), upsert=True)
                for employee_id, event in newest.items()
            ]
            await infra.db["employees"].bulk_write(writes, ordered=False, session=tx.session)

    await infra.uow.commit_each(envelopes, work)


async def reprofile(
    infra: Infrastructure,
    tx: Transaction,
    cause: Envelope,
    rollout_id: str,
    inputs: list[EmployeeInputSubmitted],
) -> None:
    """Recompute the given employees' profiles for one rollout; publish the changed ones."""
    await reprofile_each(infra, tx, rollout_id, [(cause, i) for i in inputs])


async def reprofile_each(
    infra: Infrastructure,
    tx: Transaction,
    rollout_id: str,
    caused: list[tuple[Envelope, EmployeeInputSubmitted]],
) -> None:
    """``reprofile`` where each employee's profile has its own cause (its input event)."""
    state = ProfilingState(infra.db)
    await state.claim(rollout_id, tx.session)
    rollout = await state.rollout(rollout_id, tx.session)
    confirmed = await state.confirmed(rollout_id, tx.session)
    evidence = await state.evidence_of([i.employee_id for _, i in caused], tx.session)
    built = {
        f"{rollout_id}:{i.employee_id}": (
            cause,
            i,
            profile_of(rollout, confirmed, i, evidence[i.employee_id]),
        )
        for cause, i in caused
    }
    contents = {key: content(profile) for key, (_, _, profile) in built.items()}
    versions = await profiles(infra).save_many(contents, tx.session)
    for key, (cause, employee, profile) in built.items():
        version = versions[key]
        if version is not None:
            updated = _updated(rollout_id, employee, profile, version)
            tx.publish(cause.caused(updated, SOURCE, discriminator=employee.employee_id))


def _updated(
    rollout_id: str, employee: EmployeeInputSubmitted, profile: Profile, version: int
) -> CompetenceProfileUpdated:
    return CompetenceProfileUpdated(
        employee_id=employee.employee_id,
        rollout_id=rollout_id,
        profile_version=version,
        input_version=employee.input_version,
        site_id=employee.site_id,
        department_id=employee.department_id,
        process_id=employee.process_step_id,
        role_id=profile.role_id,
        targets=profile.targets,
        gaps=profile.gaps,
        strengths=profile.strengths,
    )

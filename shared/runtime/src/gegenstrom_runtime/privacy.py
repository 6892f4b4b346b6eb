"""Privacy plumbing every service shares: erasure on request, the works agreement in
force, the access log's events, and the clock the retention jobs read."""

import hashlib
import hmac
import logging
import uuid
from collections.abc import Awaitable, Callable, Collection, Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.privacy import (
    AccessedData,
    EmployeeErased,
    ErasureConfirmed,
    PersonalDataAccessed,
    WorksAgreementChanged,
    WorksAgreementTerms,
)
from gegenstrom_runtime.auth import Principal
from gegenstrom_runtime.lookups import find_in
from gegenstrom_runtime.unit_of_work import Transaction, UnitOfWork

if TYPE_CHECKING:  # the service module builds on this one
    from gegenstrom_runtime.service import Infrastructure

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
Erase = Callable[[Transaction, str], Awaitable[None]]


def system_clock() -> datetime:
    return datetime.now(UTC)


def event_name(service_name: str) -> str:
    """``training_match`` as events and sources spell it: ``training-match``."""
    return service_name.replace("_", "-")


class Tombstones:
    """Who was erased, as keyed hashes: a service drops late events about them without
    keeping their id. The key is the shared token secret, so a hash leads nowhere alone."""

    def __init__(self, db: AsyncDatabase, secret: str) -> None:
        self._docs = db["erased"]
        self._secret = secret.encode()

    def _key(self, employee_id: str) -> str:
        return hmac.new(self._secret, employee_id.encode(), hashlib.sha256).hexdigest()

    async def holds(self, employee_id: str, session: AsyncClientSession | None = None) -> bool:
        found = await self._docs.find_one({"_id": self._key(employee_id)}, session=session)
        return found is not None

    async def held(self, employee_ids: Collection[str]) -> set[str]:
        """Those of ``employee_ids`` that were erased: one query for a whole batch."""
        keys = {self._key(e): e for e in employee_ids}
        found = await find_in(self._docs, "_id", keys, projection={"_id": 1})
        return {keys[doc["_id"]] for doc in found}

    async def add(self, employee_id: str, at: datetime, session: AsyncClientSession) -> None:
        await self._docs.update_one(
            {"_id": self._key(employee_id)},
            {"$setOnInsert": {"at": at}},
            upsert=True,
            session=session,
        )

    async def confirm(self, employee_id: str, service: str, session: AsyncClientSession) -> None:
        """Note that ``service`` confirmed the erasure (kept under the hash, never the id)."""
        await self._docs.update_one(
            {"_id": self._key(employee_id)},
            {"$addToSet": {"confirmed_by": service}},
            session=session,
        )

    async def confirmations(self, employee_id: str) -> set[str] | None:
        """The services that confirmed the erasure; None when the employee was not erased."""
        found = await self._docs.find_one({"_id": self._key(employee_id)})
        return None if found is None else set(found.get("confirmed_by", []))


async def erase_and_confirm(
    infra: "Infrastructure", envelope: Envelope, erase: Erase, clock: Clock = system_clock
) -> None:
    """Erase one employee in one transaction: the tombstone, the erasure guard, the
    service's own ``erase``, events about them not yet published, and the confirmation,
    which carries only the id."""
    event: EmployeeErased = envelope.data  # type: ignore[assignment]
    name = event_name(infra.settings.service_name)

    async def work(tx: Transaction) -> None:
        await infra.erased.add(event.employee_id, clock(), tx.session)
        await infra.guard.close(tx.session, event.employee_id)
        await erase(tx, event.employee_id)
        await infra.uow.outbox.purge(event.employee_id, tx.session)
        confirmed = ErasureConfirmed(employee_id=event.employee_id, service=name)
        tx.publish(envelope.caused(confirmed, f"/gegenstrom/{name}", discriminator=name))

    await infra.uow.commit(work, event_id=envelope.id)


async def purge_rollouts(
    infra: "Infrastructure", rollout_ids: list[str], purge: Erase, what: str
) -> int:
    """Retention's round: ``purge`` each expired rollout's data (``what``) in a
    transaction of its own; how many rollouts were purged."""
    for rollout_id in rollout_ids:

        async def work(tx: Transaction, rollout_id: str = rollout_id) -> None:
            await purge(tx, rollout_id)

        await infra.uow.commit(work)
    if rollout_ids:
        log.info("retention: deleted the %s of closed rollouts %s", what, ", ".join(rollout_ids))
    return len(rollout_ids)


class WorksAgreement:
    """The works agreement in force, as last published by intake; until then the defaults,
    with the service's own k setting if it has one."""

    def __init__(self, db: AsyncDatabase, default_k: int | None = None) -> None:
        self._docs = db["works_agreement"]
        terms = WorksAgreementTerms()
        self._defaults = terms if default_k is None else WorksAgreementTerms(k=default_k)

    async def terms(self) -> WorksAgreementTerms:
        doc = await self._docs.find_one({"_id": "current"})
        return WorksAgreementTerms.model_validate(doc["terms"]) if doc else self._defaults

    async def on_changed(self, uow: UnitOfWork, envelope: Envelope) -> None:
        """Keep the newer version; an older or repeated one changes nothing."""
        event: WorksAgreementChanged = envelope.data  # type: ignore[assignment]

        async def work(tx: Transaction) -> None:
            stored = await self._docs.find_one({"_id": "current"}, session=tx.session)
            if stored and stored["version"] >= event.agreement_version:
                return
            doc = {"version": event.agreement_version, "terms": event.terms.model_dump(mode="json")}
            await self._docs.replace_one({"_id": "current"}, doc, upsert=True, session=tx.session)

        await uow.commit(work, event_id=envelope.id)


async def record_access(
    uow: UnitOfWork,
    service_name: str,
    reader: Principal,
    employee_ids: Iterable[str],
    data: AccessedData,
    clock: Clock = system_clock,
) -> None:
    """Publish that ``reader`` read these employees' data; one's own reads are not logged."""
    others = sorted(set(employee_ids) - {reader.subject})
    if not others:
        return
    name = event_name(service_name)
    event = PersonalDataAccessed(
        access_id=str(uuid.uuid4()),
        employee_ids=others,
        reader_id=reader.subject,
        reader_role=reader.role.value,
        data=data,
        service=name,
        accessed_at=clock(),
    )

    async def work(tx: Transaction) -> None:
        tx.publish(Envelope(event, f"/gegenstrom/{name}"))

    await uow.commit(work)

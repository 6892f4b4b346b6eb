"""The works agreement, owned by intake: versions, their change log, and the event that
tells the other services. Before any change, version 0 with the default terms is in force."""

from datetime import datetime
from typing import Any

from pymongo import DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession

from gegenstrom_contracts.envelope import Envelope
from gegenstrom_contracts.privacy import WorksAgreementChanged, WorksAgreementTerms
from gegenstrom_runtime.auth import Principal
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction

CURRENT = "current"
SOURCE = "/gegenstrom/intake/works-agreement"


class Agreement:
    def __init__(self, infra: Infrastructure, defaults: WorksAgreementTerms) -> None:
        self._infra = infra
        self._docs = infra.db["works_agreement"]  # the layout gegenstrom_runtime reads
        self._changes = infra.db["works_agreement_changes"]
        self._defaults = defaults

    @classmethod
    def of(cls, infra: Infrastructure) -> "Agreement":
        """The agreement with the defaults of intake's settings (``INTAKE_K_THRESHOLD``)."""
        k = getattr(infra.settings, "k_threshold", WorksAgreementTerms().k)
        return cls(infra, WorksAgreementTerms(k=k))

    async def current(self, session: AsyncClientSession | None = None) -> dict[str, Any]:
        doc = await self._docs.find_one({"_id": CURRENT}, {"_id": 0}, session=session)
        return doc or {
            "version": 0,
            "terms": self._defaults.model_dump(mode="json"),
            "in_force_from": None,
            "changed_at": None,
        }

    async def terms(self) -> WorksAgreementTerms:
        return WorksAgreementTerms.model_validate((await self.current())["terms"])

    async def change(self, terms: WorksAgreementTerms, who: Principal, at: datetime) -> dict:
        """Store the terms as a new version, log the change and publish it; the same terms
        again change nothing."""

        async def work(tx: Transaction) -> dict:
            before = await self.current(tx.session)
            after = terms.model_dump(mode="json")
            if after == before["terms"]:
                return before
            version = before["version"] + 1
            doc = {"version": version, "terms": after, "in_force_from": at, "changed_at": at}
            await self._docs.replace_one({"_id": CURRENT}, doc, upsert=True, session=tx.session)
            await self._changes.insert_one(
                _change(version, who, at, before["terms"], after), session=tx.session
            )
            event = WorksAgreementChanged(agreement_version=version, terms=terms, in_force_from=at)
            tx.publish(Envelope(event, SOURCE))
            return doc

        return await self._infra.uow.commit(work)

    async def changes(self) -> list[dict]:
        """Every change, newest first."""
        return await self._changes.find({}, {"_id": 0}).sort("version", DESCENDING).to_list()

    async def forget(self, employee_id: str, session: AsyncClientSession) -> None:
        """An erased admin's changes stay logged, as changed by "erased"."""
        await self._changes.update_many(
            {"changed_by": employee_id}, {"$set": {"changed_by": "erased"}}, session=session
        )


def _change(version: int, who: Principal, at: datetime, before: dict, after: dict) -> dict:
    return {
        "_id": version,
        "version": version,
        "changed_by": who.subject,
        "role": who.role.value,
        "at": at,
        "before": before,
        "after": after,
        "changed_fields": changed_fields(before, after),
    }


def changed_fields(before: dict, after: dict, prefix: str = "") -> list[str]:
    """The (dotted) names of the fields whose values differ."""
    names: list[str] = []
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name), after.get(name)
        if isinstance(old, dict) and isinstance(new, dict):
            names += changed_fields(old, new, f"{prefix}{name}.")
        elif old != new:
            names.append(f"{prefix}{name}")
    return names

"""HTTP API of learning offers: HR manages workshops, circles, self-study and courses."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, UploadFile
from fastapi.responses import JSONResponse

from gegenstrom_contracts.types import Ref
from gegenstrom_runtime.access import Caller, require
from gegenstrom_runtime.auth import Principal, Role
from gegenstrom_runtime.csv_files import Problem
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from training_match.offers.csv_import import parse_offers
from training_match.offers.model import OfferSpec, offer_doc, public
from training_match.offers.repository import OfferRepository
from training_match.plans.replanning import request_replan

HrOrAdmin = Annotated[Principal, Depends(require(Role.HR, Role.ADMIN))]


def router(infra: Infrastructure) -> APIRouter:
    api = APIRouter(tags=["offers"])
    repo = OfferRepository(infra.db)

    async def changed(tx: Transaction) -> None:
        rollouts = await infra.db["learners"].distinct("rollout_id", session=tx.session)
        await request_replan(infra.db, rollouts, tx.session)

    @api.put("/v1/offers/{offer_id}")
    async def put_offer(offer_id: Ref, spec: OfferSpec, who: HrOrAdmin) -> dict:
        """Create or replace an offer; plans follow after a short quiet time."""

        async def work(tx: Transaction) -> str:
            current = await repo.get(offer_id, tx.session)
            if current and current["source"] != "hr":
                raise HTTPException(409, f"{offer_id} is an employee's mentoring offer")
            outcome = await repo.put(offer_doc(offer_id, spec), tx.session)
            if outcome != "unchanged":
                await changed(tx)
            return outcome

        return {"offer_id": offer_id, "outcome": await infra.uow.commit(work)}

    @api.delete("/v1/offers/{offer_id}", status_code=204)
    async def withdraw_offer(offer_id: Ref, who: HrOrAdmin) -> None:
        async def work(tx: Transaction) -> None:
            if await repo.get(offer_id, tx.session) is None:
                raise HTTPException(404, f"no offer {offer_id}")
            if await repo.withdraw(offer_id, tx.session):
                await changed(tx)

        await infra.uow.commit(work)

    @api.get("/v1/offers")
    async def list_offers(
        who: Caller,
        kind: str | None = None,
        competence_id: str | None = None,
        site_id: str | None = None,
        limit: int = 1000,
    ) -> list[dict]:
        query: dict = {"active": True}
        for field, value in (
            ("kind", kind),
            ("competence_id", competence_id),
            ("site_ids", site_id),
        ):
            if value is not None:
                query[field] = value
        return [public(doc) for doc in await repo.find(query, min(limit, 10_000))]

    @api.get("/v1/offers/{offer_id}")
    async def get_offer(offer_id: Ref, who: Caller) -> dict:
        doc = await repo.get(offer_id)
        if doc is None:
            raise HTTPException(404, f"no offer {offer_id}")
        return public(doc)

    @api.post("/v1/offers/import")
    async def import_offers(who: HrOrAdmin, offers: UploadFile, dry_run: bool = False):
        """Offers from CSV; 422 with every problem and nothing written when any row is wrong."""
        parsed = parse_offers(offers.filename or "offers.csv", await offers.read())

        async def work(tx: Transaction) -> dict[str, str]:
            stored = await repo.get_many(parsed.offers, tx.session)
            for offer_id in parsed.offers:
                current = stored.get(offer_id)
                if current and current["source"] != "hr":
                    parsed.problems.append(
                        Problem(
                            offers.filename or "",
                            0,
                            "offer_id",
                            f"{offer_id} is an employee's mentoring offer",
                        )
                    )
            if parsed.problems or dry_run:
                return {}
            docs = [offer_doc(i, spec) for i, spec in parsed.offers.items()]
            outcomes = await repo.put_many(docs, tx.session)
            if any(o != "unchanged" for o in outcomes.values()):
                await changed(tx)
            return outcomes

        outcomes = await infra.uow.commit(work)
        report = {
            "dry_run": dry_run,
            "applied": bool(outcomes),
            "offers": len(parsed.offers),
            "outcomes": outcomes,
            "problems": [vars(p) for p in parsed.problems],
        }
        return JSONResponse(report, status_code=422 if parsed.problems else 200)

    return api

"""HTTP API of webhooks, for admin and HR: subscriptions, deliveries and redelivery."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException

from gegenstrom_runtime.access import require
from gegenstrom_runtime.auth import Principal, Role
from gegenstrom_runtime.service import Infrastructure
from gegenstrom_runtime.unit_of_work import Transaction
from notification.webhooks.model import (
    PUBLIC_EVENT_TYPES,
    DeliveryStatus,
    SubscriptionRequest,
    new_secret,
    new_subscription_id,
)
from notification.webhooks.store import WebhookStore, now

AdminOrHr = Annotated[Principal, Depends(require(Role.ADMIN, Role.HR))]
HIDDEN_DELIVERY_FIELDS = ("_id", "body", "claim_id", "claimed_until")


def router(infra: Infrastructure, store: WebhookStore) -> APIRouter:
    api = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])

    @api.get("/event-types")
    async def event_types(who: AdminOrHr) -> list[str]:
        """The CloudEvents types one may subscribe to."""
        return list(PUBLIC_EVENT_TYPES)

    @api.post("/subscriptions", status_code=201)
    async def subscribe(request: SubscriptionRequest, who: AdminOrHr) -> dict:
        """Subscribe a URL; the signing secret is in this response and never again."""
        doc = {
            "_id": new_subscription_id(),
            "url": str(request.url),
            "event_types": request.event_types,
            "description": request.description,
            "secret": new_secret(),
            "created_by": who.subject,
            "created_at": now(),
        }
        await store.subscriptions.insert_one(doc)
        return public_subscription(doc) | {"secret": doc["secret"]}

    @api.get("/subscriptions")
    async def list_subscriptions(who: AdminOrHr) -> list[dict]:
        docs = await store.subscriptions.find().sort("created_at", 1).to_list()
        return [public_subscription(doc) for doc in docs]

    @api.delete("/subscriptions/{subscription_id}", status_code=204)
    async def unsubscribe(subscription_id: str, who: AdminOrHr) -> None:
        """Delete a subscription; its deliveries still pending are cancelled."""

        async def work(tx: Transaction) -> None:
            deleted = await store.subscriptions.delete_one(
                {"_id": subscription_id}, session=tx.session
            )
            if deleted.deleted_count == 0:
                raise HTTPException(404, f"no subscription {subscription_id}")
            await store.cancel_pending(subscription_id, tx.session)

        await infra.uow.commit(work)

    @api.get("/deliveries")
    async def list_deliveries(
        who: AdminOrHr,
        subscription_id: str | None = None,
        status: DeliveryStatus | None = None,
        limit: int = 100,
    ) -> list[dict]:
        """Deliveries, newest first."""
        query = {"subscription_id": subscription_id, "status": status}
        filters = {k: v for k, v in query.items() if v is not None}
        docs = await store.find_deliveries(filters, min(max(limit, 1), 1000))
        return [public_delivery(doc) for doc in docs]

    @api.post("/deliveries/{webhook_id}/redeliver")
    async def redeliver(webhook_id: str, who: AdminOrHr) -> dict:
        """Send a failed or delivered webhook again, with the same webhook id."""
        doc = await store.redeliver(webhook_id)
        if doc is not None:
            return public_delivery(doc)
        current = await store.deliveries.find_one({"_id": webhook_id})
        if current is None:
            raise HTTPException(404, f"no delivery {webhook_id}")
        raise HTTPException(409, f"delivery {webhook_id} is {current['status']}")

    return api


def public_subscription(doc: dict) -> dict:
    fields = {k: v for k, v in doc.items() if k not in ("_id", "secret")}
    return {"subscription_id": doc["_id"], **fields}


def public_delivery(doc: dict) -> dict:
    fields = {k: v for k, v in doc.items() if k not in HIDDEN_DELIVERY_FIELDS}
    return {"webhook_id": doc["_id"], **fields}

"""MongoDB collections of webhooks: subscriptions, deliveries and dead letters.

A delivery is claimed by one sender at a time: the claim sets a lease (``claimed_until``)
and a ``claim_id`` atomically, and every outcome is written only under that claim.
"""

import uuid
from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta

from pymongo import ASCENDING, DESCENDING, ReturnDocument, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from gegenstrom_runtime.privacy import Clock, system_clock
from notification.webhooks.model import DeliveryStatus

Session = AsyncClientSession | None
REDELIVERABLE = (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED)


def now() -> datetime:
    return datetime.now(UTC)


class WebhookStore:
    def __init__(self, db: AsyncDatabase, clock: Clock = system_clock) -> None:
        self._clock = clock  # dates dead letters for retention
        self.subscriptions = db["webhook_subscriptions"]
        self.deliveries = db["webhook_deliveries"]
        self.dead_letters = db["webhook_dead_letters"]

    async def ensure_indexes(self) -> None:
        await self.subscriptions.create_index("event_types")
        await self.deliveries.create_index([("status", ASCENDING), ("next_attempt_at", ASCENDING)])
        await self.deliveries.create_index(
            [("subscription_id", ASCENDING), ("created_at", DESCENDING)]
        )
        await self.dead_letters.create_index("webhook_id")

    async def subscribed_to(self, event_types: Collection[str]) -> list[dict]:
        """The subscriptions to any of the types."""
        query = {"event_types": {"$in": sorted(event_types)}}
        return await self.subscriptions.find(query).to_list()

    async def subscription(self, subscription_id: str) -> dict | None:
        return await self.subscriptions.find_one({"_id": subscription_id})

    async def add_deliveries(self, news: Sequence[dict], session: Session) -> None:
        """Insert new deliveries; one that exists already stays as it is."""
        writes = [UpdateOne({"_id": d["_id"]}, {"$setOnInsert": d}, upsert=True) for d in news]
        if writes:
            await self.deliveries.bulk_write(writes, session=session)

    async def cancel_pending(self, subscription_id: str, session: Session) -> None:
        await self.deliveries.update_many(
            {"subscription_id": subscription_id, "status": DeliveryStatus.PENDING},
            {"$set": {"status": DeliveryStatus.CANCELLED}},
            session=session,
        )

    async def claim_due(self, lease_s: float) -> dict | None:
        """Take the most overdue pending delivery for ``lease_s``, counting the attempt."""
        at = now()
        return await self.deliveries.find_one_and_update(
            {
                "status": DeliveryStatus.PENDING,
                "next_attempt_at": {"$lte": at},
                "claimed_until": {"$lte": at},
            },
            {
                "$set": {"claimed_until": at + timedelta(seconds=lease_s), "claim_id": _claim()},
                "$inc": {"attempts": 1},
            },
            sort=[("next_attempt_at", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )

    async def settle(self, claim: dict, changes: dict, session: Session = None) -> bool:
        """Write a claimed delivery's outcome; False when the claim was lost meanwhile."""
        result = await self.deliveries.update_one(
            {"_id": claim["_id"], "claim_id": claim["claim_id"]},
            {"$set": changes | {"claimed_until": now()}},
            session=session,
        )
        return result.modified_count == 1

    async def add_dead_letter(self, claim: dict, changes: dict, session: Session) -> None:
        await self.dead_letters.insert_one(
            {
                "webhook_id": claim["_id"],
                "subscription_id": claim["subscription_id"],
                "event_id": claim["event_id"],
                "event_type": claim["event_type"],
                "attempts": claim["attempts"],
                "last_status": changes["last_status"],
                "last_error": changes["last_error"],
                "failed_at": self._clock(),
            },
            session=session,
        )

    async def redeliver(self, webhook_id: str) -> dict | None:
        """Put a delivered or failed delivery back in the queue, with the same webhook id."""
        at = now()
        return await self.deliveries.find_one_and_update(
            {"_id": webhook_id, "status": {"$in": list(REDELIVERABLE)}},
            {
                "$set": {
                    "status": DeliveryStatus.PENDING,
                    "attempts": 0,
                    "next_attempt_at": at,
                    "claimed_until": at,
                },
                "$inc": {"redeliveries": 1},
            },
            return_document=ReturnDocument.AFTER,
        )

    async def find_deliveries(self, query: dict, limit: int) -> list[dict]:
        cursor = self.deliveries.find(query).sort("created_at", DESCENDING).limit(limit)
        return await cursor.to_list()


def _claim() -> str:
    return uuid.uuid4().hex

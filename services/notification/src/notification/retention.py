"""Retention: notification keeps what it delivered only as long as the works agreement says.

Ages are read from the injected clock. An inbox message counts from its delivery (read or
not: an unread one must not live for ever), an e-mail from its queueing (a pending one
that old is no news any more, and without SMTP nothing ever leaves the queue), a webhook
delivery from its creation unless it is still pending, a dead letter from its failure.
Digest facts go once their period can no longer be digested (the digest sends only the
period that ended last), and so do the periods' send markers.
"""

import logging
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any, cast

from gegenstrom_runtime.privacy import Clock, WorksAgreement
from gegenstrom_runtime.service import Infrastructure, every
from notification.digest import last_period
from notification.settings import NotificationSettings
from notification.webhooks.model import DeliveryStatus

log = logging.getLogger(__name__)
DATED = {
    "inbox": "created_at",
    "email_queue": "created_at",
    "webhook_deliveries": "created_at",
    "webhook_dead_letters": "failed_at",
    "digest_facts": "changed_at",
}


async def ensure_indexes(infra: Infrastructure) -> None:
    for collection, field in DATED.items():
        await infra.db[collection].create_index(field)


def retention_loop(
    infra: Infrastructure, clock: Clock, interval_s: float
) -> Callable[[], Coroutine[Any, Any, None]]:
    async def round_() -> None:
        await enforce_retention(infra, clock)

    return every(interval_s, round_, "retention")


async def enforce_retention(infra: Infrastructure, clock: Clock) -> dict[str, int]:
    """One round; how many documents each collection lost."""
    now = clock()
    retention = (await WorksAgreement(infra.db).terms()).retention
    notifications = now - timedelta(days=retention.delivered_notifications_days)
    webhooks = now - timedelta(days=retention.webhook_deliveries_days)
    removed = {
        **await _delivered(infra, notifications),
        **await _webhooks(infra, webhooks),
        **await _digests(infra, now),
    }
    if any(removed.values()):
        log.info("retention removed %s", removed)
    return removed


async def _delivered(infra: Infrastructure, before: datetime) -> dict[str, int]:
    inbox = await infra.db["inbox"].delete_many({"created_at": {"$lt": before}})
    legacy = {"created_at": {"$exists": False}, "next_attempt_at": {"$lt": before}}
    emails = await infra.db["email_queue"].delete_many(
        {"$or": [{"created_at": {"$lt": before}}, legacy]}
    )
    return {"inbox": inbox.deleted_count, "email_queue": emails.deleted_count}


async def _webhooks(infra: Infrastructure, before: datetime) -> dict[str, int]:
    deliveries = await infra.db["webhook_deliveries"].delete_many(
        {"created_at": {"$lt": before}, "status": {"$ne": DeliveryStatus.PENDING}}
    )
    dead = await infra.db["webhook_dead_letters"].delete_many({"failed_at": {"$lt": before}})
    return {
        "webhook_deliveries": deliveries.deleted_count,
        "webhook_dead_letters": dead.deleted_count,
    }


async def _digests(infra: Infrastructure, now: datetime) -> dict[str, int]:
    settings = cast(NotificationSettings, infra.settings)
    number, start = last_period(now, timedelta(seconds=settings.digest_period_s))
    facts = await infra.db["digest_facts"].delete_many({"changed_at": {"$lt": start}})
    periods = await infra.db["digest_periods"].delete_many({"_id": {"$lt": number}})
    return {"digest_facts": facts.deleted_count, "digest_periods": periods.deleted_count}

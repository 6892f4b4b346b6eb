"""The delivery loop: claim a due delivery, POST it signed, record the outcome.

2xx is delivered; any other status, a timeout or a refused connection is retried after
the next wait of ``webhook_retry_delays_s``, and after the last one the delivery is failed
and dead-lettered. Several workers (and replicas) run at once; the claim keeps each
delivery with one of them.
"""

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

import httpx

from gegenstrom_runtime.privacy import Tombstones
from gegenstrom_runtime.unit_of_work import Transaction, UnitOfWork
from notification.privacy import mentions_erased
from notification.settings import NotificationSettings
from notification.webhooks.model import CONTENT_TYPE, DeliveryStatus, is_success, retry_delay
from notification.webhooks.signing import signed_headers
from notification.webhooks.store import WebhookStore, now

LEASE_MARGIN_S = 30.0  # a claim outlives the request by this much
USER_AGENT = "gegenstrom-webhooks/1"
log = logging.getLogger(__name__)


class DeliveryWorker:
    def __init__(
        self,
        store: WebhookStore,
        uow: UnitOfWork,
        settings: NotificationSettings,
        erased: Tombstones,
    ):
        self._store = store
        self._uow = uow
        self._settings = settings
        self._erased = erased

    def loops(self) -> list[Callable[[], Coroutine[Any, Any, None]]]:
        return [self.run] * self._settings.webhook_workers

    async def run(self) -> None:
        """Deliver until cancelled; sleep only when nothing is due."""
        async with httpx.AsyncClient(timeout=self._settings.webhook_timeout_s) as http:
            while True:
                try:
                    busy = await self.deliver_next(http)
                except Exception:  # MongoDB away: the next round tries again
                    log.exception("webhook delivery round failed; retrying")
                    busy = False
                if not busy:
                    await asyncio.sleep(self._settings.webhook_poll_interval_s)

    async def deliver_next(self, http: httpx.AsyncClient) -> bool:
        """Send one due delivery; False when none was due."""
        lease_s = self._settings.webhook_timeout_s + LEASE_MARGIN_S
        claim = await self._store.claim_due(lease_s)
        if claim is None:
            return False
        if await mentions_erased(self._erased, claim["body"]):
            return True  # someone it names was erased since the claim: the delivery is gone
        subscription = await self._store.subscription(claim["subscription_id"])
        if subscription is None:
            await self._store.settle(claim, {"status": DeliveryStatus.CANCELLED})
            return True
        status, error = await post(http, subscription, claim)
        await self._record(claim, status, error)
        return True

    async def _record(self, claim: dict, status: int | None, error: str | None) -> None:
        outcome = {"last_status": status, "last_error": error}
        if is_success(status):
            await self._store.settle(claim, outcome | _delivered())
            return
        delay = retry_delay(claim["attempts"], self._settings.webhook_retry_delays_s)
        if delay is not None:
            await self._store.settle(claim, outcome | {"next_attempt_at": _in(delay)})
            return
        await self._uow.commit(lambda tx: self._fail(claim, outcome, tx))
        log.warning("webhook %s failed after %d tries: %s", claim["_id"], claim["attempts"], error)

    async def _fail(self, claim: dict, outcome: dict, tx: Transaction) -> None:
        failed = outcome | {"status": DeliveryStatus.FAILED}
        if await self._store.settle(claim, failed, tx.session):
            await self._store.add_dead_letter(claim, outcome, tx.session)


async def post(
    http: httpx.AsyncClient, subscription: dict, claim: dict
) -> tuple[int | None, str | None]:
    """POST the delivery's body, signed for this attempt; the status or why there is none."""
    body: str = claim["body"]
    headers = signed_headers(subscription["secret"], claim["_id"], body, int(time.time()))
    headers |= {"content-type": CONTENT_TYPE, "user-agent": USER_AGENT}
    try:
        response = await http.post(subscription["url"], content=body.encode(), headers=headers)
    except httpx.HTTPError as error:
        return None, f"{type(error).__name__}: {error}"[:500]
    error_text = None if is_success(response.status_code) else f"HTTP {response.status_code}"
    return response.status_code, error_text


def _delivered() -> dict:
    return {"status": DeliveryStatus.DELIVERED, "delivered_at": now()}


def _in(seconds: float) -> datetime:
    return now() + timedelta(seconds=seconds)

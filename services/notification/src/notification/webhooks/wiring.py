"""What notification's composition root plugs in for webhooks."""

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from fastapi import APIRouter

from gegenstrom_runtime.privacy import Clock, system_clock
from gegenstrom_runtime.service import Consumes, Infrastructure
from notification.settings import NotificationSettings
from notification.webhooks import api
from notification.webhooks.fanout import WebhookFanOut, with_webhooks
from notification.webhooks.sender import DeliveryWorker
from notification.webhooks.store import WebhookStore


def consumers(
    infra: Infrastructure, existing: Sequence[Consumes], clock: Clock = system_clock
) -> list[Consumes]:
    """``existing`` plus the fan-out on the public topics, one handler per topic."""
    return with_webhooks(existing, WebhookFanOut(infra, WebhookStore(infra.db), clock))


def router(infra: Infrastructure) -> APIRouter:
    return api.router(infra, WebhookStore(infra.db))


async def ensure_indexes(infra: Infrastructure) -> None:
    await WebhookStore(infra.db).ensure_indexes()


def senders(
    infra: Infrastructure, settings: NotificationSettings, clock: Clock = system_clock
) -> list[Callable[[], Coroutine[Any, Any, None]]]:
    """The delivery loops, run beside the consumers and cancelled at shutdown."""
    worker = DeliveryWorker(WebhookStore(infra.db, clock), infra.uow, settings, infra.erased)
    return worker.loops()

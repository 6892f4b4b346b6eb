"""How intake's privacy controls plug into the service: consumers, indexes, the job."""

import logging
from functools import partial

from gegenstrom_contracts import topics
from gegenstrom_contracts.privacy import ErasureConfirmed, PersonalDataAccessed
from gegenstrom_runtime.service import Consumes, Infrastructure, every
from intake.privacy.access_log import AccessLog
from intake.privacy.context import Privacy
from intake.privacy.erasure import on_confirmed
from intake.privacy.retention import enforce_retention

log = logging.getLogger(__name__)
PUBLISHES = (topics.ERASURE, topics.DATA_ACCESS, topics.WORKS_AGREEMENT)


def consumers(infra: Infrastructure) -> list[Consumes]:
    return [
        Consumes(topics.ERASURE_CONFIRMATION, [ErasureConfirmed], partial(on_confirmed, infra)),
        Consumes(topics.DATA_ACCESS, [PersonalDataAccessed], AccessLog(infra).on_accessed),
    ]


async def prepare(infra: Infrastructure) -> None:
    await AccessLog(infra).ensure_indexes()


def retention_job(privacy: Privacy, interval_s: float):
    return every(interval_s, lambda: _retention_round(privacy), "retention")


async def _retention_round(privacy: Privacy) -> None:
    deleted = await enforce_retention(privacy.infra, privacy.clock)
    if any(deleted.values()):
        log.info("retention deleted %s", deleted)

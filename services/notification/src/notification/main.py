"""Composition root of notification: ``python -m notification``."""

from datetime import timedelta
from functools import partial

from fastapi import FastAPI

from gegenstrom_contracts import topics
from gegenstrom_contracts.envelope import Event
from gegenstrom_contracts.rollouts import IdeaStatusChanged
from gegenstrom_contracts.training_match import (
    CohortFormed,
    LearningItemStatusChanged,
    LearningPlanUpdated,
    MentorRequested,
)
from gegenstrom_runtime.privacy import Clock, WorksAgreement, system_clock
from gegenstrom_runtime.service import Consumes, Infrastructure, ServiceSpec, create_service_app
from notification import api, handlers, privacy, retention
from notification.contacts import IntakeContactDirectory
from notification.digest import Digests
from notification.domain import HR_INBOX
from notification.email import EmailSender, Smtp
from notification.settings import NotificationSettings
from notification.webhooks import wiring as webhooks


def consumers(
    infra: Infrastructure, settings: NotificationSettings, clock: Clock
) -> list[Consumes]:
    contacts = IntakeContactDirectory(settings.intake_url, infra.tokens)
    tell = partial(handlers.on_events, infra, contacts, clock)
    warm = partial(handlers.look_up_languages, contacts)
    item_events: list[type[Event]] = [MentorRequested, LearningItemStatusChanged]
    own = [
        Consumes.batched(topics.LEARNING_PLAN, [LearningPlanUpdated], tell, warm),
        Consumes.batched(topics.LEARNING_ITEM, item_events, tell, warm),
        Consumes.batched(topics.LEARNING_GROUP, [CohortFormed], tell, warm),
        Consumes.batched(topics.IDEA, [IdeaStatusChanged], tell, warm),
    ]
    agreement = WorksAgreement(infra.db, settings.k_threshold)
    # one handler per public topic: inbox, then webhooks; the privacy topics are not public
    return webhooks.consumers(infra, own, clock) + privacy.consumers(infra, agreement, clock)


def background(infra: Infrastructure, settings: NotificationSettings, clock: Clock) -> list:
    """Webhook senders, the e-mail sender (when SMTP is set), the managers' digest and
    retention."""
    intake = IntakeContactDirectory(settings.intake_url, infra.tokens)
    loops = webhooks.senders(infra, settings, clock)
    if settings.smtp_host:
        smtp = Smtp(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_sender,
            settings.smtp_start_tls,
            settings.smtp_username,
            settings.smtp_password,
        )
        addresses = {HR_INBOX: settings.hr_email} if settings.hr_email else {}
        sender = EmailSender(
            infra.db,
            intake,
            smtp,
            settings.email_retry_delays_s,
            settings.email_poll_interval_s,
            addresses,
        )
        loops.append(sender.loop)
    agreement = WorksAgreement(infra.db, settings.k_threshold)
    digests = Digests(
        infra.db,
        intake,
        intake,
        partial(handlers.deliver_once, infra, clock),
        period=timedelta(seconds=settings.digest_period_s),
        k=partial(privacy.k_threshold, agreement),
        clock=clock,
    )
    loops.append(digests.loop(settings.digest_poll_interval_s))
    loops.append(retention.retention_loop(infra, clock, settings.retention_interval_s))
    return loops


async def prepare(infra: Infrastructure) -> None:
    await handlers.ensure_indexes(infra)
    await webhooks.ensure_indexes(infra)
    await retention.ensure_indexes(infra)


def create_app(
    settings: NotificationSettings | None = None, clock: Clock = system_clock
) -> FastAPI:
    """The app; ``clock`` drives the digests' periods and retention (tests move it)."""
    settings = settings or NotificationSettings()
    return create_service_app(
        ServiceSpec(
            settings=settings,
            title="gegenstrom notification",
            publishes=[topics.NOTIFICATION, topics.ERASURE_CONFIRMATION, topics.DATA_ACCESS],
            consumes=partial(consumers, settings=settings, clock=clock),
            routers=lambda infra: [api.router(infra, clock), webhooks.router(infra)],
            prepare=prepare,
            background=partial(background, settings=settings, clock=clock),
        )
    )

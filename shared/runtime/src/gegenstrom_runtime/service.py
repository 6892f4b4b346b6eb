"""Composition of one service: MongoDB, Kafka, outbox, consumers and HTTP in one FastAPI app.

Building the app connects to nothing; the lifespan connects, ensures topics and indexes,
starts consuming, and on SIGTERM lets in-flight records finish and the outbox drain.
"""

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import APIRouter, FastAPI, Response
from faststream.kafka import KafkaBroker
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from gegenstrom_contracts.envelope import Envelope, Event, EventRegistry
from gegenstrom_contracts.topics import Topic
from gegenstrom_runtime.auth import DEV_SECRET, TokenIssuer
from gegenstrom_runtime.consumer import (
    BatchHandler,
    Consumption,
    DeadLetters,
    Handler,
    LagMonitor,
    subscribe,
)
from gegenstrom_runtime.erasure_guard import ErasureGuard
from gegenstrom_runtime.kafka import Producer, ensure_topics
from gegenstrom_runtime.logs import CorrelationMiddleware, configure_logging, log_config
from gegenstrom_runtime.metrics import ServiceMetrics
from gegenstrom_runtime.outbox import Outbox
from gegenstrom_runtime.privacy import Tombstones
from gegenstrom_runtime.settings import ServiceSettings
from gegenstrom_runtime.unit_of_work import UnitOfWork
from gegenstrom_runtime.web import DATABASE_BUSY, BodySizeLimit, database_busy

log = logging.getLogger(__name__)


@dataclass
class Infrastructure:
    """What a service's handlers and routes are given: its database and unit of work."""

    settings: ServiceSettings
    mongo: AsyncMongoClient
    db: AsyncDatabase
    producer: Producer
    outbox: Outbox
    uow: UnitOfWork
    metrics: ServiceMetrics
    broker: KafkaBroker
    tokens: TokenIssuer
    erased: Tombstones
    guard: ErasureGuard

    @classmethod
    def build(cls, settings: ServiceSettings) -> "Infrastructure":
        metrics = ServiceMetrics(settings.service_name)
        mongo: AsyncMongoClient = AsyncMongoClient(
            settings.mongo_uri,
            tz_aware=True,
            serverSelectionTimeoutMS=5000,
            event_listeners=[metrics.mongo_listener()],
        )
        db = mongo[settings.database_name]
        producer = Producer(settings.kafka_bootstrap, client_id=settings.service_name)
        outbox = Outbox(
            db,
            producer,
            metrics,
            settings.topic_prefix,
            settings.outbox_poll_interval_s,
            settings.hold_before_publish,
        )
        broker = KafkaBroker(
            settings.kafka_bootstrap,
            client_id=settings.service_name,
            graceful_timeout=settings.graceful_timeout_s,
            logger=logging.getLogger("gegenstrom.faststream"),
            log_level=logging.DEBUG,  # per-message INFO logs cost more than the work
        )
        uow = UnitOfWork(mongo, db, outbox)
        secret = settings.auth_secret.get_secret_value()
        tokens = TokenIssuer(secret)
        erased, guard = Tombstones(db, secret), ErasureGuard(db, secret)
        return cls(
            settings, mongo, db, producer, outbox, uow, metrics, broker, tokens, erased, guard
        )


@dataclass(frozen=True)
class Consumes:
    topic: Topic
    events: Sequence[type[Event]]
    handler: Handler
    batch_handler: BatchHandler | None = None  # handles a whole batch at once (bulk I/O)
    prefetch: BatchHandler | None = None  # before a batch's transaction: warm caches

    @classmethod
    def batched(
        cls,
        topic: Topic,
        events: Sequence[type[Event]],
        handle: BatchHandler,
        prefetch: BatchHandler | None = None,
    ) -> "Consumes":
        """A subscription whose handler takes lists of events; one alone is a list of one."""

        async def one(envelope: Envelope) -> None:
            await handle([envelope])

        return cls(topic, events, one, handle, prefetch)


@dataclass
class ServiceSpec:
    """What makes one service different from the others."""

    settings: ServiceSettings
    publishes: Sequence[Topic] = ()
    consumes: Callable[[Infrastructure], Sequence[Consumes]] = lambda infra: ()
    routers: Callable[[Infrastructure], Sequence[APIRouter]] = lambda infra: ()
    prepare: Callable[[Infrastructure], Awaitable[None]] | None = None
    background: Callable[[Infrastructure], Sequence[Callable[[], Coroutine[Any, Any, None]]]] = (
        lambda infra: ()
    )  # loops that run while the service runs, cancelled at shutdown
    title: str = ""


# Domain gauges scan whole collections, which grow with the organisation: at 100,000
# employees three services' scans every 30 s took most of the MongoDB server's time.
GAUGES_SHARE = 0.05


def every(
    interval_s: float, work: Callable[[], Awaitable[None]], name: str, share: float = 1.0
) -> Callable[[], Coroutine[Any, Any, None]]:
    """A background loop that runs ``work`` every ``interval_s``; a failed round is logged.
    A long round pauses longer, so that ``work`` takes at most ``share`` of the time."""

    async def loop() -> None:
        while True:
            started = time.monotonic()
            try:
                await work()
            except Exception:
                log.exception("%s failed; trying again in %ss", name, interval_s)
            await asyncio.sleep(pause_after(time.monotonic() - started, interval_s, share))

    return loop


def pause_after(round_s: float, interval_s: float, share: float) -> float:
    """The pause after a round of ``round_s`` that keeps rounds to ``share`` of the time."""
    return max(interval_s, round_s * (1 / share - 1))


def create_service_app(spec: ServiceSpec) -> FastAPI:
    infra = Infrastructure.build(spec.settings)
    consumers = spec.consumes(infra)
    dead_letters = DeadLetters(infra.producer, spec.settings.service_name, infra.metrics)
    for c in consumers:
        consumption = Consumption(
            EventRegistry(c.events),
            c.handler,
            dead_letters,
            spec.settings,
            infra.uow,
            infra.erased,
            c.batch_handler,
            c.prefetch,
        )
        subscribe(infra.broker, c.topic, consumption, infra.metrics)
    for topic in spec.publishes:
        infra.metrics.init_topic(published=topic.qualified(spec.settings.topic_prefix))
    topics = [*spec.publishes, *(c.topic for c in consumers), *(c.topic.dlq for c in consumers)]
    lag = LagMonitor(spec.settings, [c.topic for c in consumers], infra.metrics)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await _start(infra, spec, topics)
        loops = [*spec.background(infra), lag.run]
        tasks = [asyncio.create_task(loop()) for loop in loops]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await _stop(infra)

    app = FastAPI(title=spec.title or f"gegenstrom {spec.settings.service_name}", lifespan=lifespan)
    app.state.infra = infra
    app.add_middleware(BodySizeLimit, max_bytes=spec.settings.max_body_bytes)
    app.add_middleware(CorrelationMiddleware)
    for error in DATABASE_BUSY:
        app.add_exception_handler(error, database_busy)
    app.include_router(_health_router(infra))
    for router in spec.routers(infra):
        app.include_router(router)
    return app


async def _start(infra: Infrastructure, spec: ServiceSpec, topics: Sequence[Topic]) -> None:
    settings = infra.settings
    await ensure_topics(settings.kafka_bootstrap, topics, settings.topic_prefix)
    await infra.outbox.ensure_indexes()
    await infra.uow.ensure_indexes()
    if spec.prepare:
        await spec.prepare(infra)
    await infra.producer.start()
    infra.outbox.start()
    await infra.broker.start()
    if settings.auth_secret.get_secret_value() == DEV_SECRET:
        log.warning("tokens use the development secret: set %sAUTH_SECRET", _prefix(settings))
    log.info("%s started", settings.service_name)


async def _stop(infra: Infrastructure) -> None:
    await infra.broker.stop()  # waits for in-flight records, up to graceful_timeout_s
    await infra.outbox.stop()  # publishes what they wrote
    await infra.producer.stop()
    await infra.mongo.close()
    log.info("%s stopped", infra.settings.service_name)


def _prefix(settings: ServiceSettings) -> str:
    return str(settings.model_config.get("env_prefix", ""))


def _health_router(infra: Infrastructure) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz(response: Response) -> dict[str, str]:
        checks = {"kafka": await _kafka_ok(infra), "mongodb": await _mongo_ok(infra)}
        if not all(checks.values()):
            response.status_code = 503
        return {name: "ok" if ok else "unavailable" for name, ok in checks.items()}

    @router.get("/metrics", response_class=Response)
    async def metrics() -> Response:
        return Response(generate_latest(infra.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return router


async def _kafka_ok(infra: Infrastructure) -> bool:
    return await infra.broker.ping(timeout=2.0)


async def _mongo_ok(infra: Infrastructure) -> bool:
    try:
        await infra.mongo.admin.command("ping")
    except Exception:
        return False
    return True


def serve(app_factory: Callable[[], FastAPI], settings: ServiceSettings) -> None:
    """Run the service in the foreground; SIGTERM and Ctrl-C shut it down gracefully."""
    configure_logging(settings.service_name)
    uvicorn.run(
        app_factory,
        factory=True,
        host=settings.http_host,
        port=settings.http_port,
        timeout_graceful_shutdown=int(settings.graceful_timeout_s) + 5,
        log_level="warning",
        log_config=log_config(settings.service_name),
        access_log=False,
    )

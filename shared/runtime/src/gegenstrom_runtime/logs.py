"""Structured logs: one JSON object per line, with the correlation id of the work at hand.

The consumer sets ``correlation_id`` and ``event_id`` around each handler call (from the
CloudEvent's ``ce_correlationid``, or its own id when it starts a chain); HTTP requests
take ``X-Correlation-ID`` or get a new one. Every log line written meanwhile carries them,
so ``grep <id>`` over the four services' logs follows one employee input.
"""

import json
import logging
import logging.config
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from starlette.types import ASGIApp, Message, Receive, Scope, Send

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
event_id: ContextVar[str | None] = ContextVar("event_id", default=None)

CORRELATION_HEADER = "X-Correlation-ID"
_MAX_ID = 200


@contextmanager
def correlated(correlation: str | None, event: str | None = None) -> Iterator[None]:
    """Within the block, log lines carry these ids."""
    c_token = correlation_id.set(correlation)
    e_token = event_id.set(event)
    try:
        yield
    finally:
        event_id.reset(e_token)
        correlation_id.reset(c_token)


class JsonFormatter(logging.Formatter):
    """time, level, service, logger, message (+ correlation_id, event_id, exception)."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self._service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if (correlation := correlation_id.get()) is not None:
            line["correlation_id"] = correlation
        if (event := event_id.get()) is not None:
            line["event_id"] = event
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def log_config(service: str, level: str = "INFO") -> dict:
    """JSON lines on stderr; chatty libraries and uvicorn only from WARNING, no access log.
    Given to uvicorn as well, so its own configuration keeps ours."""
    quiet = {"level": "WARNING", "handlers": [], "propagate": True}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter, "service": service}},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": sys.stderr}
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            name: quiet
            for name in (
                "aiokafka",
                "gegenstrom.faststream",
                "httpx",
                "uvicorn",
                "uvicorn.error",
                "uvicorn.access",
            )
        },
    }


def configure_logging(service: str, level: str = "INFO") -> None:
    logging.config.dictConfig(log_config(service, level))


class CorrelationMiddleware:
    """Takes ``X-Correlation-ID`` from the request or makes one, sets it for the request's
    logs and returns it in the response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next(
            (v for k, v in scope.get("headers", []) if k == CORRELATION_HEADER.lower().encode()),
            None,
        )
        value = given.decode(errors="replace")[:_MAX_ID] if given else uuid.uuid4().hex

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((CORRELATION_HEADER.lower().encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        with correlated(value):
            await self.app(scope, receive, send_with_id)

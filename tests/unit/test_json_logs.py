"""Log lines are JSON objects and carry the correlation id of the work at hand."""

import json
import logging

import httpx
import pytest
from fastapi import FastAPI

from gegenstrom_runtime.logs import (
    CorrelationMiddleware,
    JsonFormatter,
    correlated,
    correlation_id,
)

pytestmark = pytest.mark.unit


def record(message: str, *args: object, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("intake.handlers", logging.INFO, __file__, 1, message, args, exc_info)


def test_a_line_has_the_fields_and_no_ids_outside_of_work():
    line = json.loads(JsonFormatter("intake").format(record("accepted %s", "input")))
    assert set(line) == {"time", "level", "service", "logger", "message"}
    assert line["level"] == "INFO"
    assert line["service"] == "intake"
    assert line["logger"] == "intake.handlers"
    assert line["message"] == "accepted input"
    assert line["time"].endswith("+00:00")


def test_the_correlation_and_event_ids_come_from_the_context():
    formatter = JsonFormatter("profiling")
    with correlated("corr-1", "evt-2"):
        line = json.loads(formatter.format(record("handled")))
    assert (line["correlation_id"], line["event_id"]) == ("corr-1", "evt-2")
    assert "correlation_id" not in json.loads(formatter.format(record("later")))


def test_exceptions_stay_on_one_line():
    try:
        raise ValueError("broken\nrecord")
    except ValueError:
        import sys

        text = JsonFormatter("notification").format(record("failed", exc_info=sys.exc_info()))
    assert "\n" not in text
    assert "ValueError: broken" in json.loads(text)["exception"]


async def test_http_requests_take_or_get_a_correlation_id():
    app = FastAPI()
    app.add_middleware(CorrelationMiddleware)

    @app.get("/whoami")
    async def whoami() -> dict:
        return {"correlation_id": correlation_id.get()}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        given = await http.get("/whoami", headers={"X-Correlation-ID": "abc-123"})
        fresh = await http.get("/whoami")
    assert given.json() == {"correlation_id": "abc-123"}
    assert given.headers["x-correlation-id"] == "abc-123"
    assert fresh.json()["correlation_id"] == fresh.headers["x-correlation-id"]
    assert len(fresh.json()["correlation_id"]) == 32

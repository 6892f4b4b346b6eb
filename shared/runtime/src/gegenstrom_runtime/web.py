"""HTTP plumbing shared by the services."""

from pymongo.errors import ConnectionFailure, ExecutionTimeout, PyMongoError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

# What MongoDB raises when it could not finish in time: out of reach, an operation over its
# time limit, or a transaction that kept conflicting or outlived its lifetime (PyMongo's
# with_transaction gives up after 120 s with a NetworkTimeout, a ConnectionFailure).
DATABASE_BUSY = (ConnectionFailure, ExecutionTimeout)
RETRY_AFTER_S = 30


class BodySizeLimit:
    """Answer 413 to a request whose declared body is larger than ``max_bytes``.

    Multipart parsing has its own per-part limits for bodies sent without a length.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _declared_size(scope) > self.max_bytes:
            await self._reject(send)
            return
        await self.app(scope, receive, send)

    async def _reject(self, send: Send) -> None:
        body = f'{{"detail":"request body larger than {self.max_bytes} bytes"}}'.encode()
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _declared_size(scope: Scope) -> int:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0


async def database_busy(request: Request, error: Exception) -> JSONResponse:
    """503 with a reason instead of a bare 500; the service keeps running."""
    assert isinstance(error, PyMongoError)
    detail = (
        "the database did not complete this request in time; a change is written in one "
        f"transaction, all or nothing, so retry later ({type(error).__name__})"
    )
    headers = {"Retry-After": str(RETRY_AFTER_S)}
    return JSONResponse({"detail": detail}, status_code=503, headers=headers)

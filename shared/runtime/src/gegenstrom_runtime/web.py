"""HTTP plumbing shared by the services."""

from starlette.types import ASGIApp, Receive, Scope, Send


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

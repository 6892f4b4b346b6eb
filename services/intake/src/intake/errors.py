"""Errors of intake's use cases that the HTTP layer turns into 4xx answers."""

from fastapi import Request
from fastapi.responses import JSONResponse


class Rejected(ValueError):
    """The request refers to something unknown or breaks a rule: nothing was written."""

    def __init__(self, problems: list[str], status: int = 422) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.status = status


async def rejected_as_4xx(request: Request, error: Exception) -> JSONResponse:
    """Answer with the status and every problem the use case found."""
    assert isinstance(error, Rejected)
    return JSONResponse({"detail": error.problems}, status_code=error.status)

"""FastAPI side of the access model: who calls (401) and whether they may (403).

Every denial is logged with the path, the subject's pseudonymous id, role and reason.
"""

import logging
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gegenstrom_runtime.auth import AuthError, Principal, Role, TokenIssuer

log = logging.getLogger("gegenstrom.access")
_bearer = HTTPBearer(auto_error=False, description="A token from `gegenstrom token`.")


def _issuer(request: Request) -> TokenIssuer:
    return request.app.state.infra.tokens


def authenticated(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise unauthorized(request, "missing bearer token")
    try:
        return _issuer(request).verify(credentials.credentials)
    except AuthError as error:
        raise unauthorized(request, str(error)) from error


def unauthorized(request: Request, reason: str) -> HTTPException:
    log.warning("401 %s %s: %s", request.method, request.url.path, reason)
    return HTTPException(401, f"not authenticated: {reason}", {"WWW-Authenticate": "Bearer"})


def forbidden(request: Request, who: Principal, reason: str) -> HTTPException:
    log.warning(
        "403 %s %s for %s (%s): %s", request.method, request.url.path, who.subject, who.role, reason
    )
    return HTTPException(403, f"forbidden: {reason}")


def require(*roles: Role) -> Callable[..., Principal]:
    """A dependency that lets only the given roles through."""

    def check(request: Request, who: Annotated[Principal, Depends(authenticated)]) -> Principal:
        if who.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            reason = f"role {who.role.value} may not do this (needs {allowed})"
            raise forbidden(request, who, reason)
        return who

    return check


def require_site(request: Request, who: Principal, site_id: str | None) -> None:
    """Deny a site-scoped principal access to another site's data."""
    if not who.covers_site(site_id):
        raise forbidden(request, who, f"token does not cover site {site_id}")


def require_self_or(request: Request, who: Principal, subject: str, *roles: Role) -> None:
    """Employees act only for themselves; the given roles may act for others."""
    if who.subject != subject and who.role not in roles:
        raise forbidden(request, who, "employees may only access their own data")


Caller = Annotated[Principal, Depends(authenticated)]

"""The access model: signed bearer tokens (JWT, HS256) with role, sites and expiry.

Roles follow the product's users. ``sites`` scopes a token to some sites; an empty list
means all sites. Services call each other with short-lived ``service`` tokens.
"""

import logging
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import jwt
from pydantic import BaseModel, ConfigDict, ValidationError

ISSUER = "gegenstrom"
ALGORITHM = "HS256"
# The documented default for local runs; every deployment sets its own secret.
DEV_SECRET = "dev-only-secret-change-me-in-production-000"

log = logging.getLogger(__name__)


class Role(StrEnum):
    EMPLOYEE = "employee"
    MANAGER = "manager"
    HR = "hr"
    WORKS_COUNCIL = "works_council"
    OPS = "ops"
    ADMIN = "admin"
    SERVICE = "service"


class AuthError(Exception):
    """Why a request is not authenticated (401)."""


class Principal(BaseModel):
    """Who calls: a pseudonymous subject id, a role, and the sites the token covers."""

    model_config = ConfigDict(frozen=True)

    subject: str
    role: Role
    sites: frozenset[str] = frozenset()

    def covers_site(self, site_id: str | None) -> bool:
        return not self.sites or site_id in self.sites


class TokenIssuer:
    def __init__(self, secret: str, ttl: timedelta = timedelta(hours=8)) -> None:
        if len(secret) < 32:
            raise ValueError("the token secret must have at least 32 characters")
        self._secret = secret
        self._ttl = ttl

    def mint(
        self,
        subject: str,
        role: Role,
        sites: Iterable[str] = (),
        ttl: timedelta | None = None,
        now: datetime | None = None,
    ) -> str:
        issued = now or datetime.now(UTC)
        claims = {
            "iss": ISSUER,
            "sub": subject,
            "role": role.value,
            "sites": sorted(sites),
            "iat": issued,
            "exp": issued + (ttl or self._ttl),
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "iss"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise AuthError("token expired") from error
        except jwt.InvalidSignatureError as error:
            raise AuthError("token signature is invalid") from error
        except jwt.PyJWTError as error:
            raise AuthError(f"token is invalid: {error}") from error
        try:
            return Principal(
                subject=claims["sub"], role=claims.get("role"), sites=claims.get("sites", [])
            )
        except ValidationError as error:
            raise AuthError(f"token claims are invalid: {error.errors()[0]['msg']}") from error

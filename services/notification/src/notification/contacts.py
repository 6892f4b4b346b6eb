"""Contact details come from intake at sending time, over an authenticated internal call;
they never travel through Kafka and are not stored here. Only the language is remembered,
in memory and for minutes, so that a burst of plans does not ask intake again and again."""

import logging
import time
from collections.abc import Collection
from datetime import timedelta
from typing import Protocol

import httpx
from cachetools import TTLCache
from pydantic import BaseModel

from gegenstrom_runtime.auth import Role, TokenIssuer

log = logging.getLogger(__name__)
SERVICE_SUBJECT = "svc-notification"
TOKEN_TTL = timedelta(minutes=2)
LANGUAGES_PER_CALL = 1000  # intake's limit


class Contact(BaseModel):
    employee_id: str
    email: str
    language: str
    display_name: str


class ContactDirectory(Protocol):
    async def contact(self, employee_id: str) -> Contact | None:
        """The employee's contact, or None when intake knows no such (active) employee."""
        ...

    async def language(self, employee_id: str) -> str | None:
        """The employee's language, or None when intake knows no such (active) employee."""
        ...

    async def languages(self, employee_ids: Collection[str]) -> dict[str, str]:
        """``language`` for many at once; those intake does not know are left out."""
        ...


class ManagerDirectory(Protocol):
    async def managers(self, site_id: str) -> list[str]:
        """Pseudonymous ids of those who manage someone at the site."""
        ...


class IntakeContactDirectory:
    """Asks intake over one pooled HTTP client with a service token it renews in time."""

    def __init__(
        self,
        intake_url: str,
        tokens: TokenIssuer,
        timeout_s: float = 5.0,
        language_ttl_s: float = 300.0,
    ) -> None:
        self._url = intake_url.rstrip("/")
        self._tokens = tokens
        self._http = httpx.AsyncClient(timeout=timeout_s)
        self._token = ("", 0.0)  # the token and when to renew it
        self._languages: TTLCache[str, str] = TTLCache(maxsize=100_000, ttl=language_ttl_s)

    async def contact(self, employee_id: str) -> Contact | None:
        response = await self._get(f"/internal/v1/contacts/{employee_id}")
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return Contact.model_validate(response.json())

    async def language(self, employee_id: str) -> str | None:
        if employee_id not in self._languages:
            contact = await self.contact(employee_id)
            if contact is None:
                return None
            self._languages[employee_id] = contact.language
        return self._languages[employee_id]

    async def languages(self, employee_ids: Collection[str]) -> dict[str, str]:
        """One call to intake per thousand not remembered yet."""
        unknown = sorted(set(employee_ids) - set(self._languages))
        for start in range(0, len(unknown), LANGUAGES_PER_CALL):
            ids = unknown[start : start + LANGUAGES_PER_CALL]
            response = await self._http.post(
                f"{self._url}/internal/v1/languages",
                json={"employee_ids": ids},
                headers=self._authorization(),
            )
            response.raise_for_status()
            self._languages.update(response.json())
        return {e: self._languages[e] for e in employee_ids if e in self._languages}

    async def managers(self, site_id: str) -> list[str]:
        response = await self._get("/internal/v1/managers", site_id=site_id)
        response.raise_for_status()
        return list(response.json())

    async def _get(self, path: str, **params: str) -> httpx.Response:
        headers = self._authorization()
        return await self._http.get(f"{self._url}{path}", params=params, headers=headers)

    def _authorization(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._service_token()}"}

    def _service_token(self) -> str:
        token, renew_at = self._token
        if time.monotonic() >= renew_at:
            token = self._tokens.mint(SERVICE_SUBJECT, Role.SERVICE, ttl=TOKEN_TTL)
            self._token = (token, time.monotonic() + TOKEN_TTL.total_seconds() / 2)
        return token


async def language_of(directory: ContactDirectory, employee_id: str, default: str) -> str:
    """The recipient's language for an in-app message; the default when intake is away."""
    try:
        language = await directory.language(employee_id)
    except httpx.HTTPError as error:
        log.warning("contact lookup failed, using %s: %r", default, error)
        return default
    return language or default

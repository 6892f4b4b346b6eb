"""Contact details come from intake at sending time, over an authenticated internal call;
they never travel through Kafka and are not stored here."""

import logging
from datetime import timedelta
from typing import Protocol

import httpx
from pydantic import BaseModel

from gegenstrom_runtime.auth import Role, TokenIssuer

log = logging.getLogger(__name__)
SERVICE_SUBJECT = "svc-notification"


class Contact(BaseModel):
    employee_id: str
    email: str
    language: str
    display_name: str


class ContactDirectory(Protocol):
    async def contact(self, employee_id: str) -> Contact | None:
        """The employee's contact, or None when intake knows no such (active) employee."""
        ...


class ManagerDirectory(Protocol):
    async def managers(self, site_id: str) -> list[str]:
        """Pseudonymous ids of those who manage someone at the site."""
        ...


class IntakeContactDirectory:
    def __init__(self, intake_url: str, tokens: TokenIssuer, timeout_s: float = 5.0) -> None:
        self._url = intake_url.rstrip("/")
        self._tokens = tokens
        self._timeout_s = timeout_s

    async def contact(self, employee_id: str) -> Contact | None:
        response = await self._get(f"/internal/v1/contacts/{employee_id}")
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return Contact.model_validate(response.json())

    async def managers(self, site_id: str) -> list[str]:
        response = await self._get("/internal/v1/managers", site_id=site_id)
        response.raise_for_status()
        return list(response.json())

    async def _get(self, path: str, **params: str) -> httpx.Response:
        token = self._tokens.mint(SERVICE_SUBJECT, Role.SERVICE, ttl=timedelta(minutes=2))
        async with httpx.AsyncClient(timeout=self._timeout_s) as http:
            return await http.get(
                f"{self._url}{path}", params=params, headers={"Authorization": f"Bearer {token}"}
            )


async def language_of(directory: ContactDirectory, employee_id: str, default: str) -> str:
    """The recipient's language for an in-app message; the default when intake is away."""
    try:
        contact = await directory.contact(employee_id)
    except httpx.HTTPError as error:
        log.warning("contact lookup failed, using %s: %r", default, error)
        return default
    return contact.language if contact else default

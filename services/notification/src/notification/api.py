"""HTTP API of notification: the in-app inbox.

Each person reads only their own inbox; HR and admins also the HR team's, whose approval
messages concern single employees, so such reads go to the access log.
"""

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request

from gegenstrom_contracts.privacy import AccessedData
from gegenstrom_runtime.access import Caller, forbidden
from gegenstrom_runtime.auth import Principal, Role
from gegenstrom_runtime.privacy import Clock, record_access, system_clock
from gegenstrom_runtime.service import Infrastructure
from notification.domain import HR_INBOX
from notification.handlers import inbox


def router(infra: Infrastructure, clock: Clock = system_clock) -> APIRouter:
    api = APIRouter(prefix="/v1/inbox", tags=["inbox"])

    async def log_reads(who: Principal, docs: list[dict]) -> None:
        """Record whose data a reader saw in messages about others (HR's approvals)."""
        about = [d["about_employee_id"] for d in docs if d.get("about_employee_id")]
        name = infra.settings.service_name
        await record_access(infra.uow, name, who, about, AccessedData.INBOX, clock)

    @api.get("/{recipient_id}")
    async def list_inbox(
        recipient_id: str, request: Request, who: Caller, limit: int = 50
    ) -> list[dict]:
        """One's own inbox, newest first."""
        _only_own(request, who, recipient_id)
        cursor = inbox(infra).find({"recipient_id": recipient_id}).sort("created_at", -1)
        docs = await cursor.limit(min(limit, 200)).to_list()
        await log_reads(who, docs)
        return [_public(doc) for doc in docs]

    @api.post("/{recipient_id}/{message_id}/read")
    async def mark_read(recipient_id: str, message_id: str, request: Request, who: Caller) -> dict:
        _only_own(request, who, recipient_id)
        result = await inbox(infra).find_one_and_update(
            {"_id": message_id, "recipient_id": recipient_id},
            {"$set": {"read_at": datetime.now(UTC)}},
            return_document=True,
        )
        if result is None:
            raise HTTPException(404, f"no message {message_id} in the inbox of {recipient_id}")
        await log_reads(who, [result])
        return _public(result)

    return api


def _only_own(request: Request, who, recipient_id: str) -> None:
    """Each person sees only their own inbox; HR and admins also the HR team's."""
    team = recipient_id == HR_INBOX and who.role in (Role.HR, Role.ADMIN)
    if who.subject != recipient_id and not team:
        raise forbidden(request, who, "an inbox is readable by its owner only")


def _public(doc: dict) -> dict:
    return {"id": doc.pop("_id"), **doc}

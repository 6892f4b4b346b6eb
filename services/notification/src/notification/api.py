"""HTTP API of notification: the in-app inbox."""

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Request

from gegenstrom_runtime.access import Caller, forbidden
from gegenstrom_runtime.auth import Role
from gegenstrom_runtime.service import Infrastructure
from notification.domain import HR_INBOX
from notification.handlers import inbox


def router(infra: Infrastructure) -> APIRouter:
    api = APIRouter(prefix="/v1/inbox", tags=["inbox"])

    @api.get("/{recipient_id}")
    async def list_inbox(
        recipient_id: str, request: Request, who: Caller, limit: int = 50
    ) -> list[dict]:
        """One's own inbox, newest first."""
        _only_own(request, who, recipient_id)
        cursor = inbox(infra).find({"recipient_id": recipient_id}).sort("created_at", -1)
        return [_public(doc) for doc in await cursor.limit(min(limit, 200)).to_list()]

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
        return _public(result)

    return api


def _only_own(request: Request, who, recipient_id: str) -> None:
    """Each person sees only their own inbox; HR and admins also the HR team's."""
    team = recipient_id == HR_INBOX and who.role in (Role.HR, Role.ADMIN)
    if who.subject != recipient_id and not team:
        raise forbidden(request, who, "an inbox is readable by its owner only")


def _public(doc: dict) -> dict:
    return {"id": doc.pop("_id"), **doc}

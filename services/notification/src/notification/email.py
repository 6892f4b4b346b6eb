"""E-mail over SMTP: queued with the inbox entry, sent by a loop that looks the address up
in intake at sending time and keeps it only for the send.

A message is queued once per inbox entry (same natural key), so a redelivered event
sends no second e-mail; the Message-ID header is derived from that key as well.
"""

import asyncio
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import aiosmtplib
import httpx
from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from notification.contacts import ContactDirectory
from notification.domain import InboxMessage

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)


async def queue_emails(
    db: AsyncDatabase, messages: Sequence[InboxMessage], session: AsyncClientSession, at: datetime
) -> None:
    """Queue the messages' e-mails; ``at`` (the service's clock) dates them for retention."""
    now = datetime.now(UTC)
    entries = [
        {
            "_id": message.id,
            "recipient_id": message.recipient_id,
            "language": message.language,
            "subject": message.title,
            "body": message.body,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "claimed_until": now,
            "last_error": None,
            "created_at": at,
        }
        for message in messages
    ]
    if entries:
        await db["email_queue"].insert_many(entries, session=session)


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    sender: str
    start_tls: bool = False
    username: str | None = None
    password: str | None = None


class EmailSender:
    def __init__(
        self,
        db: AsyncDatabase,
        contacts: ContactDirectory,
        smtp: Smtp,
        retry_delays_s: list[float],
        poll_interval_s: float,
        addresses: dict[str, str] | None = None,
    ) -> None:
        self._queue = db["email_queue"]
        self._contacts = contacts
        self._smtp = smtp
        self._delays = retry_delays_s
        self._poll_s = poll_interval_s
        self._addresses = addresses or {}  # shared inboxes (HR) with a fixed mailbox

    async def loop(self) -> None:
        while True:
            try:
                while await self.send_next():
                    pass
            except Exception:  # the next round tries again; the service keeps running
                log.exception("e-mail sending failed")
            await asyncio.sleep(self._poll_s)

    async def send_next(self) -> bool:
        """Send one due e-mail; False when none is due."""
        mail = await self._claim()
        if mail is None:
            return False
        try:
            address = await self._address(mail["recipient_id"])
            if address is None:
                await self._finish(mail, "no_address")
                return True
            await aiosmtplib.send(self._compose(mail, address), **self._connection())
        except (aiosmtplib.SMTPException, OSError, httpx.HTTPError) as error:
            await self._retry_or_fail(mail, repr(error))
            return True
        await self._finish(mail, "sent")
        return True

    async def _address(self, recipient_id: str) -> str | None:
        if recipient_id in self._addresses:
            return self._addresses[recipient_id]
        contact = await self._contacts.contact(recipient_id)
        return contact.email if contact else None

    async def _claim(self) -> dict | None:
        now = datetime.now(UTC)
        return await self._queue.find_one_and_update(
            {"status": "pending", "next_attempt_at": {"$lte": now}, "claimed_until": {"$lte": now}},
            {"$set": {"claimed_until": now + LEASE}, "$inc": {"attempts": 1}},
            sort=[("next_attempt_at", 1)],
            return_document=ReturnDocument.AFTER,
        )

    def _compose(self, mail: dict, address: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self._smtp.sender
        message["To"] = address
        message["Subject"] = mail["subject"]
        message["Message-ID"] = f"<{uuid.uuid5(uuid.NAMESPACE_URL, mail['_id'])}@gegenstrom>"
        message["Content-Language"] = mail["language"]
        message.set_content(mail["body"])
        return message

    def _connection(self) -> dict:
        s = self._smtp
        return {
            "hostname": s.host,
            "port": s.port,
            "start_tls": s.start_tls,
            "username": s.username,
            "password": s.password,
        }

    async def _finish(self, mail: dict, status: str) -> None:
        done = {"status": status, "finished_at": datetime.now(UTC)}
        await self._queue.update_one({"_id": mail["_id"]}, {"$set": done})

    async def _retry_or_fail(self, mail: dict, error: str) -> None:
        tries = mail["attempts"]
        if tries > len(self._delays):
            await self._queue.update_one(
                {"_id": mail["_id"]}, {"$set": {"status": "failed", "last_error": error}}
            )
            return
        at = datetime.now(UTC) + timedelta(seconds=self._delays[tries - 1])
        await self._queue.update_one(
            {"_id": mail["_id"]},
            {"$set": {"next_attempt_at": at, "claimed_until": at, "last_error": error}},
        )

"""Standard Webhooks signatures (https://www.standardwebhooks.com), by the reference library.

The signature is ``v1,`` + base64 HMAC-SHA256 over ``{id}.{timestamp}.{body}`` keyed with
the secret's decoded bytes; the timestamp is the attempt's, in Unix seconds.
"""

from datetime import UTC, datetime

from standardwebhooks import Webhook


def signed_headers(secret: str, webhook_id: str, body: str, timestamp: int) -> dict[str, str]:
    """The three headers a receiver checks with ``Webhook(secret).verify(body, headers)``."""
    at = datetime.fromtimestamp(timestamp, UTC)
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": Webhook(secret).sign(webhook_id, at, body),
    }

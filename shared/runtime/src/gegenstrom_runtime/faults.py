"""Fault injection points for crash tests; inert unless a setting switches them on."""

import asyncio
import logging

log = logging.getLogger(__name__)


async def hold_forever(point: str) -> None:
    """Park the caller so a test can kill the process at exactly this point."""
    log.warning("fault injection: holding at %s until killed", point)
    await asyncio.Event().wait()

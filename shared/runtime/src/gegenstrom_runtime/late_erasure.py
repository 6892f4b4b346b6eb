"""Erasing again what overtook an erasure.

A record about an employee that a service was handling while their erasure committed (an
input, a profile) passed the consumer's check before the tombstone existed and may commit
after the erasure, bringing data back. So each erasure is run again a few times shortly
afterwards (the service's erase plus pending events about them). The schedule is kept in
memory only, never in the database (that would keep the id): a crash in between leaves such
data until the employee is erased again. ``erasure_guard.ErasureGuard`` closes the race
inside the transactions instead (events included).
"""

import heapq
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

log = logging.getLogger(__name__)

AGAIN_AFTER_S: tuple[float, ...] = (1.0, 5.0, 30.0)


class LateErasures:
    def __init__(
        self,
        again_after_s: Sequence[float] = AGAIN_AFTER_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._again_after_s = tuple(again_after_s)
        self._clock = clock
        self._due: list[tuple[float, str]] = []

    def schedule(self, employee_id: str) -> None:
        """Erase ``employee_id`` again after each of the delays."""
        now = self._clock()
        for delay in self._again_after_s:
            heapq.heappush(self._due, (now + delay, employee_id))

    async def run_due(self, erase_again: Callable[[str], Awaitable[None]]) -> int:
        """Run ``erase_again`` for each erasure that is due; how many ran."""
        now, ran = self._clock(), 0
        while self._due and self._due[0][0] <= now:
            _, employee_id = heapq.heappop(self._due)
            try:
                await erase_again(employee_id)
                ran += 1
            except Exception:  # the later rounds try again
                log.exception("erasing late arrivals failed")
        return ran

"""The capacity ledger: who uses which mentor, workshop cohort or exchange circle.

A mentor offer is one group (group id = offer id, capacity = the mentor's). A workshop or
circle opens groups per group key (a site id or REMOTE) with ids ``offer/key/n``, n being
the run number at that key.
"""

from collections import defaultdict

from training_match.engine.model import Placement

GroupKey = tuple[str, str]  # (offer_id, group_key)


def run_number(group_id: str) -> int:
    """The n of ``offer/key/n``; 0 for a mentor's group."""
    tail = group_id.rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else 0


class Ledger:
    """Members per group and per group and process step; groups per offer and key."""

    __slots__ = ("_groups", "_members", "_per_process")

    def __init__(self) -> None:
        self._members: dict[str, int] = {}
        self._per_process: defaultdict[str, dict[str | None, int]] = defaultdict(dict)
        self._groups: dict[GroupKey, dict[str, None]] = {}  # ordered sets, lowest run first

    def add(
        self,
        offer_id: str,
        group_key: str,
        group_id: str,
        process_id: str | None,
        count: int = 1,
    ) -> None:
        """Count ``count`` members (negative: remove them) of one process step in a group."""
        known = self._groups.get((offer_id, group_key))
        if known is None:
            self._groups[offer_id, group_key] = {group_id: None}
        elif group_id not in known:
            self._register(known, group_id)
        self._members[group_id] = self._members.get(group_id, 0) + count
        per_process = self._per_process[group_id]
        left = per_process.get(process_id, 0) + count
        if left:
            per_process[process_id] = left
        else:
            del per_process[process_id]

    @staticmethod
    def _register(known: dict[str, None], group_id: str) -> None:
        """Add a group, keeping run-number order even when state is loaded unordered."""
        last = next(reversed(known))
        known[group_id] = None
        if run_number(group_id) < run_number(last):
            ordered = sorted(known, key=run_number)
            known.clear()
            known.update(dict.fromkeys(ordered))

    def reserve(self, placement: Placement) -> None:
        self._change(placement, 1)

    def release(self, placement: Placement) -> None:
        self._change(placement, -1)

    def _change(self, placement: Placement, count: int) -> None:
        if placement.group_id is None or placement.offer_id is None:
            return
        group_key = placement.group_key or ""
        self.add(placement.offer_id, group_key, placement.group_id, placement.process_id, count)

    def used(self, group_id: str) -> int:
        return self._members.get(group_id, 0)

    def used_by_process(self, group_id: str, process_id: str | None) -> int:
        found = self._per_process.get(group_id)
        return found.get(process_id, 0) if found else 0

    def groups(self, offer_id: str, group_key: str) -> list[str]:
        """The groups running for an offer at a key, lowest run number first.

        A group whose members were all released no longer runs (nor counts against the
        offer's runs); its id is the next one handed out.
        """
        members = self._members
        return [g for g in self._groups.get((offer_id, group_key), ()) if members[g] > 0]

    def next_group_id(self, offer_id: str, group_key: str) -> str:
        """The id of a new run at the key: the lowest run number no running group has."""
        running = set(self.groups(offer_id, group_key))
        run = len(running) + 1
        if f"{offer_id}/{group_key}/{run}" in running:
            run = next(n for n in range(1, run) if f"{offer_id}/{group_key}/{n}" not in running)
        return f"{offer_id}/{group_key}/{run}"

    def snapshot(self) -> dict[str, int]:
        """Members per group, for comparisons and tests (groups that emptied included)."""
        return dict(self._members)

    def copy(self) -> "Ledger":
        twin = Ledger()
        twin._members = dict(self._members)
        twin._per_process = defaultdict(dict, {g: dict(p) for g, p in self._per_process.items()})
        twin._groups = {key: dict(known) for key, known in self._groups.items()}
        return twin

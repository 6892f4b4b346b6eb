"""All learning offers, indexed once for fast, deterministic look-ups."""

from collections import defaultdict
from collections.abc import Iterable, Iterator

from gegenstrom_contracts.training_match import ItemKind
from training_match.engine.model import Offer

PRICED = frozenset({ItemKind.SELF_STUDY, ItemKind.EXTERNAL_COURSE})


def rank(offer: Offer) -> tuple[float, float, str]:
    """Self-study and external courses: cheapest, fewest hours, then id; others by id."""
    if offer.kind in PRICED:
        return (offer.cost_eur, offer.hours, offer.offer_id)
    return (0.0, 0.0, offer.offer_id)


class OfferIndex:
    """Offers by id, by competence and kind (each list in rank order), with cached look-ups.

    Look-ups return tuples that callers must not change; they are cached per key.
    """

    def __init__(self, offers: Iterable[Offer]) -> None:
        self._by_id: dict[str, Offer] = {}
        for offer in offers:
            if offer.offer_id in self._by_id:
                raise ValueError(f"duplicate offer id {offer.offer_id!r}")
            self._by_id[offer.offer_id] = offer
        ranked = sorted(self._by_id.values(), key=lambda o: (o.kind, rank(o)))
        grouped: dict[tuple[str, ItemKind], list[Offer]] = defaultdict(list)
        for offer in ranked:
            grouped[offer.competence_id, offer.kind].append(offer)
        self._by_kind = {key: tuple(found) for key, found in grouped.items()}
        self.host_ids = frozenset(o.host_id for o in ranked if o.host_id is not None)
        self._closing: dict[tuple[str, int, ItemKind], tuple[Offer, ...]] = {}
        self._serving: dict[tuple[str, int, ItemKind, str, bool], tuple[Offer, ...]] = {}
        self._externals: dict[tuple[str, int, str], tuple[Offer, ...]] = {}
        self._preparations: dict[tuple[str, int, int], tuple[Offer, ...]] = {}

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Offer]:
        return iter(sorted(self._by_id.values(), key=lambda o: o.offer_id))

    def get(self, offer_id: str | None) -> Offer | None:
        return None if offer_id is None else self._by_id.get(offer_id)

    def of_kind(self, kind: ItemKind) -> list[Offer]:
        """Every offer of one kind, by offer id."""
        return sorted((o for o in self._by_id.values() if o.kind is kind), key=lambda o: o.offer_id)

    def for_competence(self, competence_id: str, kind: ItemKind) -> tuple[Offer, ...]:
        return self._by_kind.get((competence_id, kind), ())

    def closing(self, competence_id: str, target_level: int, kind: ItemKind) -> tuple[Offer, ...]:
        """Offers of one kind that reach ``target_level`` in the competence, in rank order."""
        key = (competence_id, target_level, kind)
        found = self._closing.get(key)
        if found is None:
            found = tuple(
                o
                for o in self.for_competence(competence_id, kind)
                if o.reaches_level >= target_level
            )
            self._closing[key] = found
        return found

    def serving(
        self, competence_id: str, target_level: int, kind: ItemKind, site_id: str, remote: bool
    ) -> tuple[Offer, ...]:
        """Closing offers held at the site, or (``remote``) joinable from it, held elsewhere."""
        key = (competence_id, target_level, kind, site_id, remote)
        found = self._serving.get(key)
        if found is None:
            found = tuple(
                o
                for o in self.closing(competence_id, target_level, kind)
                if (o.remote and site_id not in o.site_ids if remote else site_id in o.site_ids)
            )
            self._serving[key] = found
        return found

    def externals(self, competence_id: str, target_level: int, site_id: str) -> tuple[Offer, ...]:
        """External courses that close the gap and serve the site or are remote, cheapest first."""
        key = (competence_id, target_level, site_id)
        found = self._externals.get(key)
        if found is None:
            found = tuple(
                o
                for o in self.closing(competence_id, target_level, ItemKind.EXTERNAL_COURSE)
                if o.remote or site_id in o.site_ids
            )
            self._externals[key] = found
        return found

    def cheapest_external(
        self, competence_id: str, target_level: int, site_id: str
    ) -> Offer | None:
        found = self.externals(competence_id, target_level, site_id)
        return found[0] if found else None

    def preparations(
        self, competence_id: str, current_level: int, target_level: int
    ) -> tuple[Offer, ...]:
        """Self-study offers above the current but below the target level, highest first."""
        key = (competence_id, current_level, target_level)
        found = self._preparations.get(key)
        if found is None:
            below = (
                o
                for o in self.for_competence(competence_id, ItemKind.SELF_STUDY)
                if current_level < o.reaches_level < target_level
            )
            found = tuple(sorted(below, key=lambda o: (-o.reaches_level, o.offer_id)))
            self._preparations[key] = found
        return found

"""The in-house-first matching engine of training-match. Pure: no I/O.

``plan_rollout`` plans every gap of a rollout at once; ``plan_one`` re-plans one learner
against the capacity in the ``Ledger``; ``plan_totals`` sums a plan up.
"""

from training_match.engine.incremental import plan_one
from training_match.engine.ledger import Ledger
from training_match.engine.model import (
    GROUPED,
    IN_HOUSE,
    REMOTE,
    Gap,
    Learner,
    Offer,
    Placement,
    Plan,
)
from training_match.engine.offers import OfferIndex
from training_match.engine.rollout import plan_rollout
from training_match.engine.totals import Totals, plan_totals

__all__ = [
    "GROUPED",
    "IN_HOUSE",
    "REMOTE",
    "Gap",
    "Learner",
    "Ledger",
    "Offer",
    "OfferIndex",
    "Placement",
    "Plan",
    "Totals",
    "plan_one",
    "plan_rollout",
    "plan_totals",
]

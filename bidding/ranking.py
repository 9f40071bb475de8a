"""How opening compares bids, one class per procedure (attached to tenders.policies at startup).

Opening asks the tender's procedure which bids are admissible and ranks those by price. Best value
ranks by price here; the technical scores come with evaluation (contracts).
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from tenders.policies import BestValue, FloorRateReserve, LowestPrice, attach

from .models import OpenedBid


@dataclass
class Candidate:
    """One opened bid on its way into the record."""

    bid_id: int
    price: Decimal | None
    usable: bool  # commitment verified and content valid
    submitted_at: datetime
    outcome: str = ""
    rank: int | None = None
    tied: bool = False


class RankingPolicy:
    key = ""

    @classmethod
    def outcome(cls, candidate: Candidate, *, planned_price: Decimal | None, floor_price: Decimal | None) -> str:
        return OpenedBid.Outcome.RANKED

    @classmethod
    def rank(
        cls, candidates: list[Candidate], *, planned_price: Decimal | None = None, floor_price: Decimal | None = None
    ) -> list[Candidate]:
        """Set outcome, rank and tied on each usable candidate; ascending price, ties share a rank."""
        for candidate in candidates:
            if candidate.usable:
                candidate.outcome = cls.outcome(candidate, planned_price=planned_price, floor_price=floor_price)
        ranked = sorted(
            (c for c in candidates if c.usable and c.outcome == OpenedBid.Outcome.RANKED),
            key=lambda c: (c.price, c.submitted_at, c.bid_id),
        )
        for candidate in ranked:
            lower = sum(1 for other in ranked if other.price < candidate.price)
            candidate.rank = lower + 1
            candidate.tied = sum(1 for other in ranked if other.price == candidate.price) > 1
        return candidates


class LowestPriceRanking(RankingPolicy):
    key = LowestPrice.key


class FloorRateReserveRanking(RankingPolicy):
    """Bids below the floor or above the planned price are set aside (listed, not ranked)."""

    key = FloorRateReserve.key

    @classmethod
    def outcome(cls, candidate: Candidate, *, planned_price: Decimal | None, floor_price: Decimal | None) -> str:
        if floor_price is not None and candidate.price < floor_price:
            return OpenedBid.Outcome.BELOW_FLOOR
        if planned_price is not None and candidate.price > planned_price:
            return OpenedBid.Outcome.ABOVE_PLANNED
        return OpenedBid.Outcome.RANKED


class BestValueRanking(RankingPolicy):
    key = BestValue.key


def attach_rankings() -> None:
    for ranking in (LowestPriceRanking, FloorRateReserveRanking, BestValueRanking):
        attach(ranking.key, ranking=ranking)

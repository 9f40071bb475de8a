"""How evaluation scores and orders bids, one class per procedure (attached to tenders.policies at
startup: `evaluation_policy(method).evaluation`). What a procedure involves (a committee, reserve
prices, …) is stated once, on its tenders policy.

Every method ends the same way — the official reviews the admissible bids down the ranking and the
first one that passes is the proposed winner (적격심사 for the floor-rate method, confirming the
lowest qualified bid for lowest price, confirming the best-ranked one for best value). What differs
is which bids are admissible and how they are ranked:

- lowest price: every bid opening found valid, by price;
- floor rate with multiple reserve prices: bids below floor rate × planned price (or above the
  planned price) are set aside by opening; the rest by price, ascending from the floor;
- best value: the committee's technical scores plus a price score, by total (see BestValue).

Ties: equal prices (or equal totals) go to the earlier submission (the bid version's database time),
then to the lower bid id — deterministic, and anyone can check it from the public opening record.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from bidding.models import OpenedBid
from tenders import policies as procedures
from tenders.models import Tender

FOUR_PLACES = Decimal("0.0001")


def q4(value: Decimal) -> Decimal:
    return value.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


@dataclass
class Standing:
    """One admissible bid as a policy ranks it."""

    bid_id: int
    price: Decimal
    submitted_at: object
    technical_points: Decimal | None = None  # committee average of the summed criteria
    technical_score: Decimal | None = None
    price_score: Decimal | None = None
    total_score: Decimal | None = None
    below_threshold: bool = False


class EvaluationMethodPolicy:
    """The interface: `set_aside_reason`, `compute` and `ranked`."""

    key: str = ""

    @classmethod
    def params(cls, tender: Tender) -> dict:
        return procedures.evaluation_policy(tender.evaluation_method).clean(tender.evaluation_params)

    @classmethod
    def set_aside_reason(cls, opened: OpenedBid) -> str:
        """Why opening's result keeps this bid out of the review ('' when it is admissible)."""
        if not opened.commitment_ok:
            return _("Commitment check failed: %(problem)s") % {"problem": opened.problem or "—"}
        if opened.outcome == OpenedBid.Outcome.INVALID:
            return _("Invalid bid: %(problem)s") % {"problem": opened.problem or "—"}
        if opened.outcome != OpenedBid.Outcome.RANKED:
            return str(OpenedBid.Outcome(opened.outcome).label)
        return ""

    @classmethod
    def compute(cls, standings: list[Standing], *, tender: Tender, scores=None) -> list[Standing]:
        """Fill in scores where the method has them. Price-only methods have nothing to add."""
        return standings

    @classmethod
    def order_key(cls, standing: Standing):
        return (standing.price, standing.submitted_at, standing.bid_id)

    @classmethod
    def ranked(cls, standings: list[Standing]) -> list[Standing]:
        """The review order: admissible bids only (those under a threshold drop out)."""
        return sorted((s for s in standings if not s.below_threshold), key=cls.order_key)


class LowestPrice(EvaluationMethodPolicy):
    key = procedures.LowestPrice.key


class FloorRateReserve(EvaluationMethodPolicy):
    """Opening already computed the planned and floor prices and set aside the bids outside them."""

    key = procedures.FloorRateReserve.key


class BestValue(EvaluationMethodPolicy):
    """Technical score by the committee plus a price score, weighted as the tender says.

    For each bid, with the tender's weights W_t + W_p = 100 and criteria maxima summing to M:

    - technical points  P = the average over the committee members of each member's summed scores;
    - technical score   T = W_t × P / M;
    - a bid whose P is below technical_threshold_pct % of M is not technically qualified: it is
      set aside and takes no part in the price score;
    - price score       S = W_p × (lowest price among the technically qualified bids) / (bid price);
    - total             = T + S.

    Each of P, T and S is rounded half-up to 4 decimals before the total is taken (so the printed
    figures add up). Ranking: higher total first; ties go to the lower price, then the earlier
    submission, then the lower bid id.
    """

    key = procedures.BestValue.key

    @classmethod
    def technical(cls, standings: list[Standing], *, tender: Tender, scores=None) -> list[Standing]:
        """P, T and the threshold only: what the technical stage of a two-envelope tender decides
        before any price is open (the price of a bid under the threshold is then never opened)."""
        params = cls.params(tender)
        technical_weight = Decimal(params["technical_weight"])
        maximum = Decimal(sum(c["max_score"] for c in params["technical_criteria"]))
        threshold = maximum * Decimal(params["technical_threshold_pct"]) / 100
        scores = scores or {}
        for standing in standings:
            member_totals = scores.get(standing.bid_id) or []
            points = q4(sum(member_totals, Decimal(0)) / len(member_totals)) if member_totals else Decimal(0)
            standing.technical_points = points
            standing.technical_score = q4(technical_weight * points / maximum)
            standing.below_threshold = points < threshold
        return standings

    @classmethod
    def compute(
        cls, standings: list[Standing], *, tender: Tender, scores=None, threshold_decided: bool = False
    ) -> list[Standing]:
        """`scores`: {bid_id: [summed points of each member who scored]}. `threshold_decided`: the
        technical stage of a two-envelope tender already applied the threshold (its published
        results, complaints included, decided which prices opened), so it is not applied again."""
        params = cls.params(tender)
        price_weight = Decimal(params["price_weight"])
        cls.technical(standings, tender=tender, scores=scores)
        if threshold_decided:
            for standing in standings:
                standing.below_threshold = False
        qualified = [s for s in standings if not s.below_threshold]
        lowest = min((s.price for s in qualified), default=None)
        for standing in standings:
            if standing.below_threshold or lowest is None:
                standing.price_score = None
                standing.total_score = None
                continue
            standing.price_score = q4(price_weight * lowest / standing.price)
            standing.total_score = standing.technical_score + standing.price_score
        return standings

    @classmethod
    def order_key(cls, standing: Standing):
        return (-(standing.total_score or Decimal(0)), standing.price, standing.submitted_at, standing.bid_id)

    @classmethod
    def threshold_reason(cls, tender: Tender, standing: Standing) -> str:
        params = cls.params(tender)
        maximum = sum(c["max_score"] for c in params["technical_criteria"])
        return _("Technical score below the threshold: %(points)s of %(maximum)s points, %(pct)s%% needed.") % {
            "points": standing.technical_points,
            "maximum": maximum,
            "pct": params["technical_threshold_pct"],
        }


def attach_evaluations() -> None:
    for policy in (LowestPrice, FloorRateReserve, BestValue):
        procedures.attach(policy.key, evaluation=policy)

"""Procedures as policy classes, one per evaluation method, and one per procurement method.

An evaluation policy is the only place that knows what its method is: its capabilities as data
(`needs_committee`, `uses_reserve_prices`, `has_floor`, …), its parameters (validated against the
national defaults in `settings.EVALUATION_DEFAULTS`), the template that shows them, and — attached
by the higher apps when they start — how opening ranks its bids (`ranking`, from bidding) and how
evaluation scores them (`evaluation`, from contracts). Code asks `evaluation_policy(method)` and
never compares a method's name; a system check refuses to start with a method that has no policy
or a policy missing a part. Adding a method means one class here, its parameters template, and
its ranking and evaluation classes in the apps that own them.

A method policy says who may bid, what must be justified and how long the tender stays open.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from procurement.errors import DomainError
from procurement.money import decimal_parse

from .models import Tender


def _decimal(value, *, field: str, low: Decimal, high: Decimal, errors: dict) -> str | None:
    try:
        number = decimal_parse(value, field=field, low=low, high=high)
    except DomainError as exc:
        errors[field] = exc.message
        return None
    return str(number.normalize()) if number == number.to_integral() else str(number)


def _integer(value, *, field: str, low: int, high: int, errors: dict) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        errors[field] = _("Enter a whole number.")
        return None
    if not (low <= number <= high):
        errors[field] = _("Enter a whole number between %(low)s and %(high)s.") % {"low": low, "high": high}
        return None
    return number


class EvaluationPolicy:
    """One procedure. `clean` returns complete parameters or raises ValidationError({param: msg})."""

    key: str = ""
    param_names: tuple[str, ...] = ()
    # What the procedure involves, as data: every other module asks these, never the key.
    needs_committee: bool = False  # an evaluation committee scores technical criteria
    needs_technical_proposal: bool = False  # a bid must attach the proposal the committee scores
    uses_reserve_prices: bool = False  # reserve prices drawn at publication, picked by bidders
    has_floor: bool = False  # bids below a floor (rate × planned price) are set aside at opening
    has_qualification_review: bool = True  # the official reviews admissible bids down the ranking
    # How many sealed envelopes a bid may have: 1 (opened together) or 2 (technical first, then the
    # price envelopes of the technically compliant bids only). The tender chooses among these.
    envelope_options: tuple[int, ...] = (1,)
    can_be_framework: bool = False  # may award a framework agreement instead of one contract
    params_template: str = ""  # shows the parameters on the tender's page ("" when none)
    # Its names in open data (opendata/ocds.py): the OCDS awardCriteria code and details, and the id
    # of its rules in the evaluation-rules extension.
    ocds_award_criteria: str = "priceOnly"
    ocds_award_criteria_details: str = ""
    ocds_rules_method: str = ""
    # Attached by the apps that own the behaviour (see `attach`): bidding's ranking at opening,
    # contracts' evaluation policy.
    ranking: type | None = None
    evaluation: type | None = None
    ATTACHABLE = ("ranking", "evaluation")

    @classmethod
    def defaults(cls) -> dict:
        return dict(settings.EVALUATION_DEFAULTS.get(cls.key, {}))

    @classmethod
    def clean(cls, params: dict | None) -> dict:
        merged = {**cls.defaults(), **{k: v for k, v in (params or {}).items() if v not in (None, "")}}
        errors: dict = {}
        cleaned = cls._clean(merged, errors)
        if errors:
            raise ValidationError({k: ValidationError(v) for k, v in errors.items()})
        return cleaned

    @classmethod
    def _clean(cls, params: dict, errors: dict) -> dict:
        return {}

    @classmethod
    def reserve_pick_rules(cls, params: dict | None) -> tuple[int | None, int | None]:
        """(reserve prices drawn, picks each bidder makes); (None, None) without reserve prices."""
        return None, None


class LowestPrice(EvaluationPolicy):
    key = Tender.EvaluationMethod.LOWEST_PRICE
    envelope_options = (1, 2)
    ocds_award_criteria_details = "Lowest price"
    ocds_rules_method = "lowestPrice"
    can_be_framework = True  # the valid bids in price order are the framework's suppliers (catalogue)


class FloorRateReserve(EvaluationPolicy):
    """복수예비가격: reserve prices drawn around the base price; lowest bid at or above the floor wins."""

    key = Tender.EvaluationMethod.FLOOR_RATE_RESERVE
    param_names = ("floor_rate", "reserve_range_pct", "reserve_count", "picks_per_bidder", "picks_averaged")
    uses_reserve_prices = True
    has_floor = True
    # The reserve picks travel in the price envelope: the planned price is drawn from compliant bids.
    envelope_options = (1, 2)
    params_template = "tenders/procedures/floor_rate_reserve.html"
    ocds_award_criteria_details = "Lowest price above a floor rate (multiple reserve prices)"
    ocds_rules_method = "floorRateReserve"

    @classmethod
    def reserve_pick_rules(cls, params: dict | None) -> tuple[int | None, int | None]:
        cleaned = cls.clean(params)
        return cleaned["reserve_count"], cleaned["picks_per_bidder"]

    @classmethod
    def _clean(cls, params: dict, errors: dict) -> dict:
        cleaned = {
            "floor_rate": _decimal(
                params.get("floor_rate"), field="floor_rate", low=Decimal(50), high=Decimal(100), errors=errors
            ),
            "reserve_range_pct": _decimal(
                params.get("reserve_range_pct"),
                field="reserve_range_pct",
                low=Decimal("0.1"),
                high=Decimal(10),
                errors=errors,
            ),
            "reserve_count": _integer(
                params.get("reserve_count"), field="reserve_count", low=2, high=50, errors=errors
            ),
            "picks_per_bidder": _integer(
                params.get("picks_per_bidder"), field="picks_per_bidder", low=1, high=10, errors=errors
            ),
            "picks_averaged": _integer(
                params.get("picks_averaged"), field="picks_averaged", low=1, high=20, errors=errors
            ),
        }
        count, averaged, picks = cleaned["reserve_count"], cleaned["picks_averaged"], cleaned["picks_per_bidder"]
        if count and averaged and averaged > count:
            errors["picks_averaged"] = _("Cannot average more reserve prices than are drawn (%(n)s).") % {"n": count}
        if count and picks and picks > count:
            errors["picks_per_bidder"] = _("Bidders cannot pick more reserve prices than are drawn (%(n)s).") % {
                "n": count
            }
        return cleaned


class BestValue(EvaluationPolicy):
    """Technical score from the committee plus a price score, weighted as the tender says."""

    key = Tender.EvaluationMethod.BEST_VALUE
    param_names = ("technical_weight", "price_weight", "technical_threshold_pct", "technical_criteria")
    needs_committee = True
    needs_technical_proposal = True
    # With two envelopes the committee scores the technical envelopes; bids under the threshold
    # are non-compliant and their prices never open (contracts.services.evaluation).
    envelope_options = (1, 2)
    can_be_framework = True
    params_template = "tenders/procedures/best_value.html"
    ocds_award_criteria = "ratedCriteria"
    ocds_award_criteria_details = "Best value (technical and price)"
    ocds_rules_method = "bestValue"

    @classmethod
    def _clean(cls, params: dict, errors: dict) -> dict:
        technical = _integer(params.get("technical_weight"), field="technical_weight", low=1, high=99, errors=errors)
        price = _integer(params.get("price_weight"), field="price_weight", low=1, high=99, errors=errors)
        threshold = _integer(
            params.get("technical_threshold_pct"), field="technical_threshold_pct", low=0, high=100, errors=errors
        )
        if technical is not None and price is not None and technical + price != 100:
            errors["price_weight"] = _("Technical and price weights must add up to 100 (now %(sum)s).") % {
                "sum": technical + price
            }
        criteria = []
        raw = params.get("technical_criteria") or []
        if not isinstance(raw, list) or not raw:
            errors["technical_criteria"] = _("List at least one technical criterion.")
        else:
            for item in raw:
                name = str((item or {}).get("name", "")).strip() if isinstance(item, dict) else ""
                try:
                    max_score = int(item.get("max_score"))
                except (AttributeError, TypeError, ValueError):
                    max_score = 0
                if not name or max_score <= 0:
                    errors["technical_criteria"] = _("Each criterion needs a name and a positive maximum score.")
                    break
                criteria.append({"name": name[:200], "max_score": max_score})
        return {
            "technical_weight": technical,
            "price_weight": price,
            "technical_threshold_pct": threshold,
            "technical_criteria": criteria,
        }


EVALUATION_POLICIES: dict[str, type[EvaluationPolicy]] = {p.key: p for p in (LowestPrice, FloorRateReserve, BestValue)}


def evaluation_policy(method: str) -> type[EvaluationPolicy]:
    return EVALUATION_POLICIES[method]


def attach(method: str, **parts: type) -> None:
    """Plug a higher app's part of a procedure in (AppConfig.ready), keeping imports one-way:
    `attach("best_value", ranking=BestValueRanking)`."""
    policy = EVALUATION_POLICIES[method]
    for role, implementation in parts.items():
        if role not in policy.ATTACHABLE:
            raise ValueError(f"{role!r} is not a part of a procedure; use one of {policy.ATTACHABLE}")
        setattr(policy, role, implementation)


class MethodPolicy:
    """A procurement method: who is told, who may bid, what must be justified, how long it stays open."""

    key: str = ""
    invitation_only: bool = False
    needs_justification: bool = False
    # Officials may choose it on the tender form; False for methods another service starts itself.
    chosen_by_officials: bool = True
    # The invited suppliers are those under a framework agreement, set by the service that makes the
    # tender (catalogue.services.mini_competitions); officials cannot change the list.
    invitations_from_framework: bool = False
    # Evaluated and awarded by the contracts app; False when the app that made it awards it itself.
    awarded_by_evaluation: bool = True
    # Its OCDS procurementMethod code and details (opendata/ocds.py).
    ocds_method: str = ""
    ocds_method_details: str = ""

    @classmethod
    def min_period(cls, category: str) -> timedelta:
        days = settings.MIN_TENDER_PERIOD_DAYS.get(cls.key, {}).get(category, 0)
        return timedelta(days=days)


class OpenMethod(MethodPolicy):
    key = Tender.Method.OPEN
    ocds_method = "open"
    ocds_method_details = "Open competitive tender (일반경쟁)"


class RestrictedMethod(MethodPolicy):
    key = Tender.Method.RESTRICTED
    invitation_only = True
    ocds_method = "selective"
    ocds_method_details = "Restricted tender, invited suppliers (제한경쟁/지명경쟁)"


class LimitedMethod(MethodPolicy):
    key = Tender.Method.LIMITED
    invitation_only = True
    needs_justification = True
    ocds_method = "limited"
    ocds_method_details = "Limited tender, direct (수의계약)"


class MiniCompetitionMethod(MethodPolicy):
    """2단계경쟁: an order above the catalogue's threshold, competed among the suppliers under the
    framework for its category (catalogue.MiniCompetition links the tender to the framework). Sealed
    offers, deadline and opening as for any tender, for a short period (MIN_TENDER_PERIOD_DAYS)."""

    key = Tender.Method.MINI_COMPETITION
    invitation_only = True
    chosen_by_officials = False
    invitations_from_framework = True
    awarded_by_evaluation = False  # catalogue.services.mini_competition_award places the order
    ocds_method = "selective"
    ocds_method_details = "Second-stage competition among framework agreement suppliers (2단계경쟁)"


METHOD_POLICIES: dict[str, type[MethodPolicy]] = {
    p.key: p for p in (OpenMethod, RestrictedMethod, LimitedMethod, MiniCompetitionMethod)
}


def methods_officials_choose() -> list[str]:
    return [key for key, policy in METHOD_POLICIES.items() if policy.chosen_by_officials]


def method_policy(method: str) -> type[MethodPolicy]:
    return METHOD_POLICIES[method]

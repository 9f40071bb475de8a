"""Drawing and sealing the multiple reserve prices (bidding.reserve has the arithmetic)."""

import json
from decimal import Decimal

from django.db import transaction

from procurement.audit import audit_record
from procurement.sealing import seal, unseal
from tenders.models import Tender
from tenders.policies import evaluation_policy

from ..content import canonical_json
from ..models import ReservePriceSet
from ..reserve import reserve_prices_draw


def reserve_prices_draw_for(*, tender: Tender, actor=None) -> ReservePriceSet | None:
    """Draw and seal the reserve prices of a floor-rate tender, in the caller's transaction.

    Called when a tender is published, and again when an amendment changes its base price or
    range (a new set for the new amendment number; the old one stays, sealed). Returns None for
    other evaluation methods. The values exist in plaintext only in this function's memory.
    """
    if not evaluation_policy(tender.evaluation_method).uses_reserve_prices or not tender.public_key:
        return None
    params = evaluation_policy(tender.evaluation_method).clean(tender.evaluation_params)
    base, range_pct, count = tender.estimated_value, Decimal(params["reserve_range_pct"]), params["reserve_count"]
    values = reserve_prices_draw(base_price=base, range_pct=range_pct, count=count)
    sealed = seal(bytes(tender.public_key), canonical_json([str(v) for v in values]))
    del values
    with transaction.atomic():
        reserve_set, created = ReservePriceSet.objects.get_or_create(
            tender=tender,
            amendment_number=tender.version,
            defaults={"base_price": base, "range_pct": range_pct, "count": count, "sealed_values": sealed},
        )
        if created:
            audit_record(
                actor=actor,
                action="bid.reserve_prices_draw",
                obj=reserve_set,
                data={"tender": tender.pk, "amendment": tender.version, "count": count, "range_pct": range_pct},
            )
    return reserve_set


def reserve_values_unseal(reserve_set: ReservePriceSet, private_key) -> list[Decimal]:
    """The drawn values; only opening has the private key to call this with."""
    return [Decimal(v) for v in json.loads(unseal(private_key, bytes(reserve_set.sealed_values)))]

"""Drawing and sealing the multiple reserve prices (sealclient.reserve has the arithmetic, sealclient.sealing
the sealed "koneps-reserve-prices-v1" document)."""

from decimal import Decimal

from django.db import transaction

from procurement.audit import audit_record
from sealclient.sealing import reserve_prices_open, reserve_prices_seal
from tenders.models import Tender
from tenders.policies import evaluation_policy

from ..models import ReservePriceSet


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
    sealed = reserve_prices_seal(
        tender_public_key=bytes(tender.public_key),
        tender_reference=tender.reference,
        amendment=tender.version,
        base_price=base,
        range_pct=range_pct,
        count=count,
    ).ciphertext
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
    return reserve_prices_open(bytes(private_key), bytes(reserve_set.sealed_values))["values"]

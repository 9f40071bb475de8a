"""The sealed multiple reserve prices, opened and checked at opening (sealclient.reserve has the arithmetic).

They were drawn in the publishing official's browser and sealed to the tender key; the server
stored the ciphertext and its public commitment (tenders.ReservePriceSet). Opening refuses to go
on without them or when anything about them does not hold: a planned price made from anything
but the committed draw would be exactly the manipulation this is meant to rule out.
"""

import hashlib
import json
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from nacl.exceptions import CryptoError

from procurement.errors import Conflict
from procurement.sealing import unseal
from sealclient.reserve import RESERVE_SCHEMA, reserve_slices, reserve_value_fits
from tenders.models import ReservePriceSet, Tender


class ReservePricesInvalid(Conflict):
    code = "reserve_prices_invalid"


def current_reserve_set(tender: Tender) -> ReservePriceSet | None:
    return ReservePriceSet.objects.filter(tender=tender).order_by("-amendment_number").first()


def reserve_values_unseal(*, tender: Tender, private_key) -> list[Decimal]:
    """The committed draw of the tender's latest reserve-price set, checked value by value."""
    reserve_set = current_reserve_set(tender)
    if reserve_set is None:
        raise ReservePricesInvalid(_("This tender has no sealed reserve prices: it cannot be opened."))
    ciphertext = bytes(reserve_set.ciphertext)
    if hashlib.sha256(ciphertext).hexdigest() != reserve_set.commitment:
        raise ReservePricesInvalid(_("The sealed reserve prices do not match their published commitment."))
    try:
        document = json.loads(unseal(private_key, ciphertext))
        values = [Decimal(str(v)) for v in document["values"]]
        base, range_pct = Decimal(str(document["base_price"])), Decimal(str(document["range_pct"]))
    except (CryptoError, ValueError, KeyError, TypeError, InvalidOperation):
        raise ReservePricesInvalid(_("The sealed reserve prices cannot be read with the tender key.")) from None
    if (
        document.get("schema") != RESERVE_SCHEMA
        or document.get("tender") != tender.reference
        or document.get("amendment") != reserve_set.amendment_number
        or base != reserve_set.base_price
        or range_pct != reserve_set.range_pct
        or len(values) != reserve_set.count
    ):
        raise ReservePricesInvalid(_("The sealed reserve prices were drawn for another tender or other terms."))
    slices = reserve_slices(base_price=base, range_pct=range_pct, count=reserve_set.count)
    for value, slice_ in zip(values, slices, strict=True):
        if not reserve_value_fits(slice_, value, last=slice_.number == reserve_set.count):
            raise ReservePricesInvalid(
                _("Reserve price %(n)s lies outside its slice of the range.") % {"n": slice_.number}
            )
    return values

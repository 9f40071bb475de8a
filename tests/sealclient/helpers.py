"""Opened tenders for the verifier tests (the portal's own services on the real database)."""

from decimal import Decimal

from bidding.models import BidVersion
from sealclient import sealing
from tenders.models import ReservePriceSet
from tests.bidding.helpers import bidder, close_and_open, published_tender, submit
from tests.support.audited import audited

# 15 reserve prices, one inside each slice of 100,000,000 ± 2 %.
VALUES = [Decimal(98_000_000 + 266_667 * i + 1000) for i in range(15)]


def reserve_tender(values=VALUES, **kwargs):
    """A published floor-rate tender whose sealed reserve prices are `values` (instead of a random draw)."""
    tender = published_tender(evaluation_method="floor_rate_reserve", estimated_value=100_000_000, **kwargs)
    sealed = sealing.reserve_prices_seal(
        tender_public_key=bytes(tender.public_key),
        tender_reference=tender.reference,
        amendment=tender.version,
        base_price=Decimal(100_000_000),
        range_pct=Decimal(2),
        count=len(values),
        values=values,
    )
    # The database refuses sealed reserve prices changed without an entry.
    with audited("reserve_reseal", tender, commitment=sealed.commitment):
        ReservePriceSet.objects.filter(tender=tender).update(ciphertext=sealed.ciphertext, commitment=sealed.commitment)
    return tender


def opened_reserve_tender(**kwargs):
    """Five bids: below the floor, a valid price twice (tied), above the planned price, and one whose
    ciphertext was swapped in the database after submission. Returns (tender, record, users)."""
    tender = reserve_tender(**kwargs)
    users = [bidder() for _ in range(5)]
    submit(tender, users[0], price="80000000", picks=(1, 2))
    submit(tender, users[1], price="95000000", picks=(2, 3))
    submit(tender, users[2], price="95000000", picks=(3, 4))
    submit(tender, users[3], price="120000000", picks=(5, 6))
    tampered = submit(tender, users[4], price="96000000", picks=(1, 4)).version
    other = submit(published_tender(), bidder(), price="1000").version
    BidVersion.objects.filter(pk=tampered.pk).update(sealed_content=bytes(other.sealed_content))
    record = close_and_open(tender)
    return tender, record, users

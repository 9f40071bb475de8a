"""No record changes without an entry, beyond tenders: a bid's status and outcome, an award's decision
and amount, a contract's status, value and signatures change only in a transaction whose audit entry
names them — as its object, or among the records it lists as changed with it (`data.related`)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from bidding.models import Bid, OpenedBid
from procurement.audit import audit_record
from tests.bidding.helpers import opened_tender

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_bid_status_changed_outside_a_service_is_refused():
    _tender, record, _users = opened_tender()
    bid = record.opened_bids.first().bid
    with pytest.raises(IntegrityError, match=r"unaudited change to bidding\.bid"):
        Bid.objects.filter(pk=bid.pk).update(status=Bid.Status.DISQUALIFIED)
    bid.refresh_from_db()
    assert bid.status == Bid.Status.OPENED


def test_an_opened_price_or_rank_changed_outside_a_service_is_refused():
    _tender, record, _users = opened_tender()
    row = record.opened_bids.get(rank=2)
    with pytest.raises(IntegrityError, match=r"unaudited change to bidding\.bid"):
        OpenedBid.objects.filter(pk=row.pk).update(rank=1)
    with pytest.raises(IntegrityError):
        OpenedBid.objects.filter(pk=row.pk).update(price=Decimal(1))


def test_a_bulk_update_is_kept_when_one_entry_lists_every_bid_it_moved():
    tender, record, _users = opened_tender()
    ids = list(Bid.objects.filter(tender=tender).values_list("pk", flat=True))
    with transaction.atomic():
        Bid.objects.filter(pk__in=ids).update(status=Bid.Status.NOT_AWARDED)
        audit_record(
            actor=None,
            action="test.bulk",
            obj=record,
            related={"bidding.bid": {pk: {"status": ("opened", "not_awarded")} for pk in ids}},
        )
    assert set(Bid.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"not_awarded"}


def test_an_entry_listing_some_bids_does_not_cover_the_others():
    tender, record, _users = opened_tender()
    first, *others = Bid.objects.filter(tender=tender).order_by("pk").values_list("pk", flat=True)
    named = "|".join(str(pk) for pk in others)
    with pytest.raises(IntegrityError, match=rf"bidding\.bid ({named}) refused"), transaction.atomic():
        Bid.objects.filter(tender=tender).update(status=Bid.Status.NOT_AWARDED)
        audit_record(
            actor=None, action="test.bulk", obj=record, related={"bidding.bid": {first: {"status": ("a", "b")}}}
        )


def test_an_entry_about_the_tender_alone_does_not_cover_its_bids():
    tender, _record, _users = opened_tender()
    with pytest.raises(IntegrityError), transaction.atomic():
        Bid.objects.filter(tender=tender).update(status=Bid.Status.NOT_AWARDED)
        audit_record(actor=None, action="test.tender_only", obj=tender)

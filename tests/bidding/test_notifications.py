"""Who hears about bids: the bidding company only; bidders also hear about amendments."""

from datetime import timedelta

import pytest
from django.utils import timezone

from procurement.models import Outbox
from tenders import services as tender_services
from tests import sealing
from tests.bidding.helpers import bidder, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_tender(official):
    from tests.tenders.conftest import tender_data

    return sealing.publish(tender=tender_services.tender_create(actor=official, data=tender_data()), actor=official)


def amend(tender, official):
    return tender_services.tender_amend(
        tender=tender,
        actor=official,
        reason="Quantities corrected",
        data={
            "delivery_period": "계약일로부터 90일",
            "submission_deadline": timezone.now() + timedelta(days=12),
            "opening_at": timezone.now() + timedelta(days=12, hours=1),
        },
    )


def test_an_amendment_reaches_the_members_of_companies_that_have_bid(live_tender, official):
    sam, tara = bidder(), bidder()
    submit(live_tender, sam)
    Outbox.objects.all().delete()
    amend(live_tender, official)
    rows = Outbox.objects.filter(event="tender.amended")
    assert sam.pk in {row.recipient_id for row in rows}
    assert tara.pk not in {row.recipient_id for row in rows}


def test_the_amendment_notice_to_bidders_looks_exactly_like_the_one_to_followers(live_tender, official):
    """So that nobody reading the outbox can tell who bid before the deadline."""
    from tenders.models import TenderFollow

    sam, fan = bidder(), bidder()
    submit(live_tender, sam)
    TenderFollow.objects.create(tender=live_tender, user=fan)
    Outbox.objects.all().delete()
    amend(live_tender, official)
    to_sam = Outbox.objects.get(recipient=sam)
    to_fan = Outbox.objects.get(recipient=fan)
    assert (to_sam.event, to_sam.subject, to_sam.link) == (to_fan.event, to_fan.subject, to_fan.link)
    assert to_sam.body.replace(sam.get_full_name(), "") == to_fan.body.replace(fan.get_full_name(), "")


def test_a_bidder_who_also_follows_the_tender_is_told_once(live_tender, official):
    from tenders.models import TenderFollow

    sam = bidder()
    submit(live_tender, sam)
    TenderFollow.objects.create(tender=live_tender, user=sam)
    Outbox.objects.all().delete()
    amend(live_tender, official)
    assert Outbox.objects.filter(recipient=sam).count() == 1


def test_a_withdrawn_bidder_is_not_told_about_amendments(live_tender, official):
    from bidding.services import bid_withdraw

    sam = bidder()
    bid_withdraw(bid=submit(live_tender, sam).bid, actor=sam)
    Outbox.objects.all().delete()
    amend(live_tender, official)
    assert not Outbox.objects.filter(recipient=sam).exists()


def test_a_cancellation_reaches_the_members_of_companies_that_have_bid(live_tender, official):
    sam, tara = bidder(), bidder()
    submit(live_tender, sam)
    Outbox.objects.all().delete()
    tender_services.tender_cancel(tender=live_tender, actor=official, reason="예산 삭감")
    recipients = set(Outbox.objects.filter(event="tender.cancelled").values_list("recipient_id", flat=True))
    assert sam.pk in recipients
    assert tara.pk not in recipients


def test_an_unsuccessful_tender_tells_its_bidders_once(live_tender, official):
    from tenders.models import Tender

    sam = bidder()
    submit(live_tender, sam)
    tender_services.tender_follow(tender=live_tender, user=sam)  # a follower and a bidder: one notice
    Tender.objects.filter(pk=live_tender.pk).update(status=Tender.Status.CLOSED)
    Outbox.objects.all().delete()
    tender_services.tender_mark_unsuccessful(tender=live_tender, actor=official, reason="적격자 없음")
    assert list(Outbox.objects.filter(event="tender.unsuccessful").values_list("recipient_id", flat=True)) == [sam.pk]

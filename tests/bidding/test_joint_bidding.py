"""Joint bidding (공동수급): a consortium forms, every member confirms, the lead bids, opening checks it.

Lena (`lead`) leads; Pia and Quinn (`partners`) are her partners; Sam bids alone.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bidding.models import Bid, Consortium, ConsortiumMember, OpenedBid
from bidding.services.consortium import MemberTerms, consortium_create, consortium_dissolve, consortium_respond
from procurement.errors import Conflict, Forbidden, Invalid
from procurement.models import Outbox
from suppliers.services import sanction_record
from tests.bidding.helpers import bidder, close_and_open, published_tender, set_times, submit
from tests.bidding.joint import company, form_consortium
from tests.factories import SanctionFactory


@pytest.fixture
def tender(official):
    return published_tender(entity=official.official.entity, created_by=official, consortium_allowed=True)


@pytest.fixture
def lead(db):
    return bidder(user__email="lena@hanbit.example")


@pytest.fixture
def partners(db):
    return [bidder(user__email="pia@partner.example"), bidder(user__email="quinn@partner.example")]


def test_a_consortium_of_three_bids_through_its_lead_and_opens_as_one_bid(tender, lead, partners, supplier_user):
    consortium = form_consortium(tender, lead, partners)
    assert consortium.status == Consortium.Status.CONFIRMED

    result = submit(tender, lead, price="90000000")
    submit(tender, supplier_user, price="95000000")

    assert result.bid.consortium == consortium
    record = close_and_open(tender)
    winner = record.opened_bids.get(rank=1)
    assert winner.bid.consortium == consortium
    assert winner.outcome == OpenedBid.Outcome.RANKED
    assert record.valid_count == 2


def test_it_refuses_shares_that_do_not_add_up_to_100(tender, lead, partners):
    with pytest.raises(Invalid, match="add up to 100%"):
        form_consortium(tender, lead, partners, shares=(50, 30, 15))
    assert not Consortium.objects.exists()


def test_it_refuses_a_share_below_the_configured_minimum(tender, lead, partners, settings):
    settings.CONSORTIUM_MIN_SHARE_PCT = 10
    with pytest.raises(Invalid, match="at least 10%"):
        form_consortium(tender, lead, partners, shares=(60, 35, 5))


def test_it_refuses_a_debarred_partner(tender, lead, partners):
    SanctionFactory(supplier=company(partners[0]))
    with pytest.raises(Invalid, match="debarred"):
        form_consortium(tender, lead, partners)


def test_it_refuses_joint_bidding_where_the_tender_does_not_allow_it(official, lead, partners):
    plain = published_tender(entity=official.official.entity, created_by=official)
    with pytest.raises(Conflict, match="does not allow joint bidding"):
        form_consortium(plain, lead, partners)


def test_a_company_is_in_one_consortium_per_tender_and_then_cannot_bid_alone(tender, lead, partners):
    form_consortium(tender, lead, partners, confirm=False)
    other_lead = bidder()
    with pytest.raises(Conflict, match="another consortium"):
        form_consortium(tender, other_lead, [partners[0]], shares=(50, 50))
    with pytest.raises(Forbidden, match="only its lead submits"):
        submit(tender, partners[0])


def test_the_lead_cannot_bid_until_every_member_has_confirmed(tender, lead, partners):
    consortium = form_consortium(tender, lead, partners, confirm=False)
    consortium_respond(member=consortium.members.get(supplier=company(partners[0])), actor=partners[0], accept=True)

    with pytest.raises(Conflict, match="Every member of the consortium must confirm"):
        submit(tender, lead)
    assert not Bid.objects.filter(tender=tender).exists()


def test_only_the_invited_company_answers_its_invitation(tender, lead, partners, supplier_user):
    consortium = form_consortium(tender, lead, partners, confirm=False)
    member = consortium.members.get(supplier=company(partners[0]))
    with pytest.raises(Forbidden):
        consortium_respond(member=member, actor=supplier_user, accept=True)
    member.refresh_from_db()
    assert member.status == ConsortiumMember.Status.INVITED


def test_a_member_cannot_confirm_after_the_deadline(tender, lead, partners):
    consortium = form_consortium(tender, lead, partners, confirm=False)
    set_times(tender, deadline=-1)
    with pytest.raises(Conflict, match="deadline has passed"):
        consortium_respond(member=consortium.members.get(supplier=company(partners[0])), actor=partners[0], accept=True)


def test_a_declined_invitation_leaves_the_consortium_unable_to_bid_and_tells_the_lead(tender, lead, partners):
    consortium = form_consortium(tender, lead, partners, confirm=False)
    consortium_respond(member=consortium.members.get(supplier=company(partners[1])), actor=partners[1], accept=False)

    assert Outbox.objects.filter(recipient=lead, event="consortium.answered", subject__contains="declined").exists()
    with pytest.raises(Conflict):
        submit(tender, lead)
    # The lead dissolves it; the partners are free again.
    consortium_dissolve(consortium=consortium, actor=lead)
    assert not ConsortiumMember.objects.filter(tender=tender, status__in=ConsortiumMember.BINDING_STATUSES).exists()


def test_a_members_debarment_before_the_deadline_invalidates_the_bid_and_tells_the_lead(
    tender, lead, partners, platform_admin
):
    consortium = form_consortium(tender, lead, partners)
    submit(tender, lead, price="90000000")
    today = timezone.localdate()
    sanction_record(
        supplier=company(partners[1]),
        actor=platform_admin,
        starts_on=today,
        ends_on=today + timedelta(days=180),
        legal_ground="국가계약법 제27조",
        reason="Collusion in another tender.",
        deciding_body="조달청",
    )

    consortium.refresh_from_db()
    assert consortium.status == Consortium.Status.INVALID
    notice = Outbox.objects.get(recipient=lead, event="consortium.invalidated")
    assert company(partners[1]).name in notice.body
    assert "rejected at opening" in notice.body

    record = close_and_open(tender)
    opened = record.opened_bids.get()
    assert opened.outcome == OpenedBid.Outcome.CONSORTIUM_INVALID
    assert "debarred" in opened.problem
    assert opened.bid.status == Bid.Status.DISQUALIFIED
    assert record.outcome == record.Outcome.UNSUCCESSFUL


def test_opening_rejects_a_consortium_whose_member_was_debarred_at_the_deadline(tender, lead, partners):
    form_consortium(tender, lead, partners)
    submit(tender, lead)
    # Recorded outside the service (no invalidation ran): opening still finds it, at the deadline.
    SanctionFactory(supplier=company(partners[0]))

    record = close_and_open(tender)

    opened = record.opened_bids.get()
    assert opened.outcome == OpenedBid.Outcome.CONSORTIUM_INVALID
    assert company(partners[0]).name in opened.problem
    for user in (lead, *partners):
        assert Outbox.objects.filter(recipient=user, event="bid.rejected_at_opening").exists()


def test_opening_rejects_a_consortium_whose_member_never_confirmed(tender, lead, partners):
    consortium = form_consortium(tender, lead, partners)
    submit(tender, lead)
    # However it came about (a restored backup, a hand edit), a member without a confirmation is refused.
    ConsortiumMember.objects.filter(consortium=consortium, is_lead=False).update(
        status=ConsortiumMember.Status.INVITED, responded_at=None
    )

    opened = close_and_open(tender).opened_bids.get()

    assert opened.outcome == OpenedBid.Outcome.CONSORTIUM_INVALID
    assert "did not confirm" in opened.problem


def test_the_shares_are_checked_again_at_opening(tender, lead, partners):
    consortium = form_consortium(tender, lead, partners)
    submit(tender, lead)
    ConsortiumMember.objects.filter(consortium=consortium, is_lead=True).update(share=Decimal(40))

    opened = close_and_open(tender).opened_bids.get()

    assert opened.outcome == OpenedBid.Outcome.CONSORTIUM_INVALID
    assert "100%" in opened.problem


def test_split_performance_names_each_members_part(tender, lead, partners):
    with pytest.raises(Invalid, match="split performance"):
        consortium_create(
            tender=tender,
            actor=lead,
            name="분담 공동수급체",
            performance=Consortium.Performance.SPLIT,
            lead_share=60,
            partners=[MemberTerms(company(partners[0]), Decimal(40), "")],
        )

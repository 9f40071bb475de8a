"""Changing a consortium before the deadline: shares, members, form of performance; every partner
confirms the new terms again before the consortium may bid.

Lena (`lead`) leads; Pia and Quinn (`partners`) are her partners; Rex joins later.
"""

from decimal import Decimal

import pytest

from bidding.models import Consortium, ConsortiumMember
from bidding.services.consortium import MemberTerms, consortium_change, consortium_respond
from procurement.errors import Conflict, Forbidden, Invalid
from procurement.models import AuditEntry, Outbox
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


def change(consortium, lead, terms, *, lead_share, performance=Consortium.Performance.JOINT):
    return consortium_change(
        consortium=consortium,
        actor=lead,
        performance=performance,
        lead_share=lead_share,
        partners=[MemberTerms(company(u), Decimal(s)) for u, s in terms],
    )


def statuses(consortium) -> dict:
    return {m.supplier_id: (m.status, m.share) for m in consortium.members.all()}


def test_a_change_of_shares_sends_every_partner_back_to_confirm(tender, lead, partners):
    consortium = form_consortium(tender, lead, partners)
    assert consortium.status == Consortium.Status.CONFIRMED
    pia, quinn = partners

    changed = change(consortium, lead, [(pia, 25), (quinn, 25)], lead_share=50)

    assert changed.status == Consortium.Status.FORMING
    assert changed.confirmed_at is None
    assert statuses(changed) == {
        company(lead).pk: (ConsortiumMember.Status.CONFIRMED, Decimal("50.00")),
        company(pia).pk: (ConsortiumMember.Status.INVITED, Decimal("25.00")),
        company(quinn).pk: (ConsortiumMember.Status.INVITED, Decimal("25.00")),
    }
    for user in partners:
        notice = Outbox.objects.get(event="consortium.changed", recipient=user)
        assert "25.00%" in notice.body
    entry = AuditEntry.objects.get(action="consortium.change")
    assert entry.data["changes"]["before"]["members"][1][1] == "30.00"
    assert entry.data["changes"]["after"]["members"][1][1] == "25.00"
    # The lead cannot bid until both have confirmed the new terms.
    with pytest.raises(Conflict, match="must confirm"):
        submit(tender, lead)
    for user in partners:
        consortium_respond(member=changed.members.get(supplier=company(user)), actor=user, accept=True)
    changed.refresh_from_db()
    assert changed.status == Consortium.Status.CONFIRMED
    assert submit(tender, lead).bid.consortium == changed


def test_a_removed_member_leaves_and_is_told_and_a_new_one_is_invited(tender, lead, partners, official):
    consortium = form_consortium(tender, lead, partners)
    pia, quinn = partners
    rex = bidder(user__email="rex@newpartner.example")

    change(consortium, lead, [(pia, 30), (rex, 20)], lead_share=50)

    assert not consortium.members.filter(supplier=company(quinn)).exists()
    assert consortium.members.get(supplier=company(rex)).status == ConsortiumMember.Status.INVITED
    assert Outbox.objects.filter(event="consortium.removed", recipient=quinn).exists()
    assert Outbox.objects.filter(event="consortium.changed", recipient=rex).exists()
    assert AuditEntry.objects.get(action="consortium.change").data["removed"] == [company(quinn).pk]
    # Quinn is free again and bids alone; the consortium opens with its three current members.
    submit(tender, quinn)
    consortium_respond(member=consortium.members.get(supplier=company(pia)), actor=pia, accept=True)
    consortium_respond(member=consortium.members.get(supplier=company(rex)), actor=rex, accept=True)
    submit(tender, lead)
    record = close_and_open(tender)
    opened = record.opened_bids.get(bid__consortium=consortium)
    assert opened.outcome == "ranked"
    assert sorted(m.supplier_id for m in consortium.members.all()) == sorted(
        [company(lead).pk, company(pia).pk, company(rex).pk]
    )


def test_a_change_is_checked_like_a_new_consortium(tender, lead, partners):
    consortium = form_consortium(tender, lead, partners)
    pia, quinn = partners
    with pytest.raises(Invalid, match="add up to 100%"):
        change(consortium, lead, [(pia, 30), (quinn, 30)], lead_share=50)
    with pytest.raises(Invalid, match="part each company performs"):
        change(consortium, lead, [(pia, 30), (quinn, 20)], lead_share=50, performance=Consortium.Performance.SPLIT)
    debarred = bidder()
    SanctionFactory(supplier=company(debarred))
    with pytest.raises(Invalid, match="debarred"):
        change(consortium, lead, [(pia, 30), (debarred, 20)], lead_share=50)
    # Nothing changed: still confirmed, the old shares.
    consortium.refresh_from_db()
    assert consortium.status == Consortium.Status.CONFIRMED
    assert consortium.members.get(supplier=company(pia)).share == Decimal("30.00")


def test_only_the_lead_changes_and_only_before_the_deadline_and_before_the_bid(tender, lead, partners):
    consortium = form_consortium(tender, lead, partners)
    pia, quinn = partners
    with pytest.raises(Forbidden):
        change(consortium, pia, [(lead, 30), (quinn, 20)], lead_share=50)
    submit(tender, lead)
    with pytest.raises(Conflict, match="withdraw it"):
        change(consortium, lead, [(pia, 25), (quinn, 25)], lead_share=50)
    set_times(tender, deadline=-1)
    with pytest.raises(Conflict):
        change(consortium, lead, [(pia, 25), (quinn, 25)], lead_share=50)


def test_a_company_in_another_consortium_cannot_be_added(tender, lead, partners):
    consortium = form_consortium(tender, lead, partners)
    other_lead, taken = bidder(), bidder()
    form_consortium(tender, other_lead, [taken], shares=(50, 50), confirm=False)
    with pytest.raises(Conflict, match="another consortium"):
        change(consortium, lead, [(partners[0], 30), (taken, 20)], lead_share=50)
    assert consortium.members.filter(supplier=company(partners[1])).get().status == ConsortiumMember.Status.CONFIRMED


def test_the_lead_changes_the_shares_on_the_page_and_a_partner_cannot_open_it(tender, lead, partners, client_for):
    consortium = form_consortium(tender, lead, partners)
    pia, quinn = partners
    page = client_for(lead).get(f"/bids/consortia/{consortium.pk}/")
    assert f"/bids/consortia/{consortium.pk}/edit/" in page.content.decode()
    form = client_for(lead).get(f"/bids/consortia/{consortium.pk}/edit/").content.decode()
    assert company(pia).registration_number in form  # today's terms are filled in

    response = client_for(lead).post(
        f"/bids/consortia/{consortium.pk}/edit/",
        {
            "name": consortium.name,
            "performance": "joint",
            "lead_share": "60",
            "partner1_brn": company(pia).registration_number,
            "partner1_share": "20",
            "partner2_brn": company(quinn).registration_number,
            "partner2_share": "20",
        },
        follow=True,
    )

    assert "asked to confirm again" in response.content.decode()
    consortium.refresh_from_db()
    assert consortium.status == Consortium.Status.FORMING
    assert consortium.members.get(is_lead=True).share == Decimal("60.00")
    refused = client_for(pia).post(
        f"/bids/consortia/{consortium.pk}/edit/",
        {"name": "x", "performance": "joint", "lead_share": "50", "partner1_brn": company(lead).registration_number,
         "partner1_share": "50"},
        follow=True,
    )  # fmt: skip
    assert "Only the lead company" in refused.content.decode()
    assert consortium.members.get(is_lead=True).share == Decimal("60.00")

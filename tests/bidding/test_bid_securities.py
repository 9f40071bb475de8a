"""Bid securities: attached, verified with the issuer, checked against the price at opening, released or called.

Sam (`supplier_user`) and Tara (`other_supplier_user`) bid; Olivia (`official`) runs the tender.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bidding.models import Bid, BidSecurity, OpenedBid
from bidding.services.securities import bid_security_attach, bid_security_release
from procurement.errors import Conflict, Invalid
from procurement.models import AuditEntry, Outbox
from tests.bidding.helpers import close_and_open, published_tender, set_times, submit
from tests.bidding.joint import attach_security, company
from tests.factories import IssuedGuaranteeFactory, SecurityIssuerFactory


@pytest.fixture
def tender(official):
    """5 % of the bid price as security; the deadline in ten days."""
    return published_tender(
        entity=official.official.entity, created_by=official, bid_security_kind="percent", bid_security_value=5
    )


def test_a_sufficient_security_is_verified_and_its_bid_ranked(tender, supplier_user):
    security = attach_security(tender, supplier_user, amount=5_000_000)
    assert security.is_verified
    submit(tender, supplier_user, price="100000000")

    opened = close_and_open(tender).opened_bids.get()

    assert opened.outcome == OpenedBid.Outcome.RANKED
    security.refresh_from_db()
    assert security.status == BidSecurity.Status.HELD


def test_a_security_below_the_rate_of_the_opened_price_is_rejected_with_a_public_reason(
    tender, supplier_user, other_supplier_user
):
    attach_security(tender, supplier_user, amount=4_000_000)
    attach_security(tender, other_supplier_user, amount=5_000_000)
    submit(tender, supplier_user, price="90000000")  # needs 4,500,000
    submit(tender, other_supplier_user, price="98000000")  # needs 4,900,000

    record = close_and_open(tender)

    rejected = record.opened_bids.get(supplier=company(supplier_user))
    assert rejected.outcome == OpenedBid.Outcome.SECURITY_REJECTED
    assert rejected.rank is None
    assert "4,000,000 KRW is less than the 4,500,000 KRW required" in rejected.problem
    assert rejected.bid.status == Bid.Status.DISQUALIFIED
    notice = Outbox.objects.get(recipient=supplier_user, event="bid.rejected_at_opening")
    assert "less than" in notice.body
    assert not Outbox.objects.filter(recipient=other_supplier_user, event="bid.rejected_at_opening").exists()
    assert BidSecurity.objects.get(supplier=company(supplier_user)).status == BidSecurity.Status.REJECTED
    assert record.opened_bids.get(supplier=company(other_supplier_user)).rank == 1
    entry = AuditEntry.objects.filter(action="bid.open_all").latest("seq")
    assert any("less than" in b.get("rejected", "") for b in entry.data["bids"])


def test_a_bid_without_a_security_is_rejected_at_opening(tender, supplier_user):
    submit(tender, supplier_user)

    opened = close_and_open(tender).opened_bids.get()

    assert opened.outcome == OpenedBid.Outcome.SECURITY_REJECTED
    assert "No bid security was attached" in opened.problem


def test_a_guarantee_issued_for_another_tender_is_not_confirmed_and_the_bid_is_rejected(
    tender, official, supplier_user
):
    other = published_tender(entity=official.official.entity, created_by=official)
    guarantee = IssuedGuaranteeFactory(principal=company(supplier_user), tender=other, amount=5_000_000)

    security = bid_security_attach(
        tender=tender,
        actor=supplier_user,
        issuer=guarantee.issuer,
        number=guarantee.number,
        amount=Decimal(5_000_000),
        valid_until=guarantee.valid_until,
    )
    assert not security.is_verified
    assert other.reference in security.verification_message
    submit(tender, supplier_user)

    opened = close_and_open(tender).opened_bids.get()

    assert opened.outcome == OpenedBid.Outcome.SECURITY_REJECTED
    assert "issuer did not confirm" in opened.problem


def test_another_companys_guarantee_is_not_confirmed(tender, supplier_user, other_supplier_user):
    tara_guarantee = IssuedGuaranteeFactory(principal=company(other_supplier_user), tender=tender)

    security = bid_security_attach(
        tender=tender,
        actor=supplier_user,
        issuer=tara_guarantee.issuer,
        number=tara_guarantee.number,
        amount=tara_guarantee.amount,
        valid_until=tara_guarantee.valid_until,
    )

    assert security.verification == BidSecurity.Verification.FAILED
    assert "another company" in security.verification_message


def test_a_guarantee_expiring_before_the_required_validity_is_refused(tender, supplier_user):
    short = timezone.localdate(tender.submission_deadline) + timedelta(days=5)
    guarantee = IssuedGuaranteeFactory(principal=company(supplier_user), tender=tender, valid_until=short)
    with pytest.raises(Invalid, match="must be valid until at least"):
        bid_security_attach(
            tender=tender,
            actor=supplier_user,
            issuer=guarantee.issuer,
            number=guarantee.number,
            amount=guarantee.amount,
            valid_until=short,
        )
    assert not BidSecurity.objects.exists()


def test_a_security_that_no_longer_covers_a_moved_deadline_is_rejected_at_opening(tender, supplier_user, settings):
    attach_security(tender, supplier_user, amount=5_000_000)
    submit(tender, supplier_user)
    # The rule tightened after attaching (or the deadline moved): opening checks validity again.
    settings.BID_SECURITY_VALIDITY_DAYS = 90

    opened = close_and_open(tender).opened_bids.get()

    assert opened.outcome == OpenedBid.Outcome.SECURITY_REJECTED
    assert "had to be valid until" in opened.problem


def test_a_fixed_security_below_the_amount_is_refused_when_attached(official, supplier_user):
    fixed = published_tender(
        entity=official.official.entity, created_by=official, bid_security_kind="fixed", bid_security_value=3_000_000
    )
    guarantee = IssuedGuaranteeFactory(principal=company(supplier_user), tender=fixed, amount=2_000_000)
    with pytest.raises(Invalid, match="at least 3,000,000"):
        bid_security_attach(
            tender=fixed,
            actor=supplier_user,
            issuer=guarantee.issuer,
            number=guarantee.number,
            amount=guarantee.amount,
            valid_until=guarantee.valid_until,
        )


def test_a_security_cannot_be_attached_after_the_deadline(tender, supplier_user):
    set_times(tender, deadline=-1)
    with pytest.raises(Conflict, match="deadline has passed"):
        attach_security(tender, supplier_user)


def test_the_issuer_adapter_is_the_one_the_settings_name(tender, supplier_user, settings):
    settings.SECURITY_ISSUER_ADAPTER = "tests.bidding.test_bid_securities.RefusingIssuer"
    security = attach_security(tender, supplier_user)
    assert not security.is_verified
    assert security.verification_message == "Service unavailable"


class RefusingIssuer:
    def verify(self, claim):
        from bidding.issuers import IssuerAnswer

        return IssuerAnswer(False, "Service unavailable")


def test_securities_are_released_after_opening_with_a_notice_and_an_audit_entry(tender, official, supplier_user):
    security = attach_security(tender, supplier_user)
    with pytest.raises(Conflict, match="after the bids are opened"):
        bid_security_release(security=security, actor=official)
    submit(tender, supplier_user, price="200000000")  # needs 10,000,000: rejected
    close_and_open(tender)

    bid_security_release(security=security, actor=official)

    security.refresh_from_db()
    assert security.status == BidSecurity.Status.RELEASED
    assert AuditEntry.objects.filter(action="bid_security.release", object_id=str(security.pk)).exists()
    assert Outbox.objects.filter(recipient=supplier_user, event="bid_security.release").exists()


def test_the_issuer_register_refuses_a_retired_issuer(tender, supplier_user):
    issuer = SecurityIssuerFactory(code="OLD", is_active=False)
    with pytest.raises(Invalid, match="not accepted"):
        attach_security(tender, supplier_user, issuer=issuer)


def test_checking_guarantees_with_the_issuer_is_rate_limited(tender, supplier_user, settings):
    settings.SECURITY_VERIFICATIONS_PER_HOUR = 2
    from django.core.cache import cache

    cache.clear()
    attach_security(tender, supplier_user)
    attach_security(tender, supplier_user)
    with pytest.raises(Conflict, match="Too many guarantees"):
        attach_security(tender, supplier_user)


def test_the_public_verifier_recomputes_the_ranking_around_a_rejected_security(
    tender, supplier_user, other_supplier_user
):
    from bidding.bundle import opening_bundle
    from sealclient.verify import verify_bundle

    attach_security(tender, supplier_user, amount=1_000_000)
    attach_security(tender, other_supplier_user, amount=5_000_000)
    submit(tender, supplier_user, price="90000000")
    submit(tender, other_supplier_user, price="98000000")
    close_and_open(tender)
    bundle = opening_bundle(tender)

    report = verify_bundle(bundle)

    assert report.ok, [str(d) for d in report.differences]
    assert report.winners == [company(other_supplier_user).pk]
    # Without the published rejection, the verifier would rank the cheaper bid first and say so.
    bundle["rejected_outside_content"] = []
    assert not verify_bundle(bundle).ok

"""Submitting, replacing and withdrawing sealed bids; who may; the deadline by the database clock."""

import time
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from bidding.models import Bid, BidDocument, BidVersion
from bidding.services import LateBid, bid_withdraw
from procurement.errors import DomainError
from procurement.models import AuditEntry, Outbox
from procurement.sealing import commitment
from suppliers.models import Sanction, SupplierMember
from tests.bidding.helpers import bidder, pdf_with, published_tender, set_times, submit
from tests.factories import SupplierMemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_bid_is_stored_as_ciphertext_with_a_commitment_and_the_database_time(tender, supplier_user):
    before = timezone.now()
    result = submit(tender, supplier_user, price="987654321", documents=[("proposal.pdf", pdf_with("ZEBRA"))])
    version = result.version
    assert result.created
    assert version.number == 1
    assert version.bid.current_version_id == version.pk
    assert b"987654321" not in bytes(version.sealed_content)
    assert b"ZEBRA" not in bytes(BidDocument.objects.get(version=version).ciphertext)
    expected = commitment(
        ciphertexts=version.ciphertexts(),
        tender_ref=tender.reference,
        supplier_id=version.supplier_id,
        version=1,
    )
    assert version.commitment == expected
    # The receipt time is the database's own clock at the insert, returned by INSERT … RETURNING.
    assert before - timedelta(seconds=5) < version.submitted_at < timezone.now() + timedelta(seconds=5)
    assert BidVersion.objects.get(pk=version.pk).submitted_at == version.submitted_at


def test_replacing_adds_a_version_and_keeps_the_earlier_one_sealed(tender, supplier_user):
    first = submit(tender, supplier_user, price="100000000").version
    second = submit(tender, supplier_user, price="99000000").version
    bid = Bid.objects.get(tender=tender)
    assert [v.number for v in bid.versions.all()] == [1, 2]
    assert bid.current_version_id == second.pk
    assert bytes(BidVersion.objects.get(pk=first.pk).sealed_content) == bytes(first.sealed_content)
    assert first.commitment != second.commitment
    assert Bid.objects.filter(tender=tender).count() == 1


def test_the_same_idempotency_key_twice_returns_the_first_receipt_and_writes_nothing(tender, supplier_user):
    key = uuid.uuid4()
    first = submit(tender, supplier_user, price="100000000", key=key)
    audit_count = AuditEntry.objects.count()
    again = submit(tender, supplier_user, price="123456789", key=key)
    assert not again.created
    assert again.version.pk == first.version.pk
    assert BidVersion.objects.filter(bid__tender=tender).count() == 1
    assert AuditEntry.objects.count() == audit_count


def test_a_retry_after_the_deadline_still_gets_its_first_receipt(tender, supplier_user):
    key = uuid.uuid4()
    first = submit(tender, supplier_user, key=key)
    set_times(tender, deadline=-1)
    assert submit(tender, supplier_user, key=key).version.pk == first.version.pk


def test_a_submission_is_audited_without_naming_the_tender(tender, supplier_user):
    version = submit(tender, supplier_user, price="987654321").version
    entry = AuditEntry.objects.get(action="bid.submit")
    assert entry.object_type == "bidding.bid"
    assert entry.object_id == str(version.bid_id)
    assert entry.data == {
        "version": 1,
        "commitment": version.commitment,
        "held_tender_at": version.submitted_at.isoformat(),
        "changes": {
            "status": {"from": None, "to": "submitted"},
            "current_version_id": {"from": None, "to": version.pk},
        },
    }
    assert "987654321" not in str(entry.data)
    submit(tender, supplier_user, price="987654322")
    assert AuditEntry.objects.filter(action="bid.replace").count() == 1


def test_only_the_companys_own_members_are_notified_and_not_told_the_tender_or_price(
    tender, supplier_user, other_supplier_user
):
    colleague = SupplierMemberFactory(
        supplier=supplier_user.supplier_membership.supplier, role=SupplierMember.Role.BIDDER
    ).user
    submit(tender, supplier_user, price="987654321")
    rows = Outbox.objects.filter(event="bid.submitted")
    assert {row.recipient_id for row in rows} == {supplier_user.pk, colleague.pk}
    for row in rows:
        assert "987654321" not in row.subject + row.body
        assert tender.reference not in row.subject + row.body
        assert tender.title not in row.subject + row.body


def test_a_submission_one_second_after_the_deadline_by_the_database_clock_is_refused(tender, supplier_user):
    set_times(tender, deadline=-1)
    with pytest.raises(LateBid, match="deadline has passed"):
        submit(tender, supplier_user)
    assert not Bid.objects.filter(tender=tender).exists()


def test_one_second_after_the_deadline_is_refused_even_if_the_web_servers_clock_says_otherwise(
    tender, supplier_user, time_machine
):
    # The Python clock is put an hour before the deadline; the database clock has passed it.
    set_times(tender, deadline=-1)
    time_machine.move_to(tender.submission_deadline - timedelta(hours=1))
    with pytest.raises(LateBid):
        submit(tender, supplier_user)


def test_the_database_clock_accepts_a_bid_the_web_servers_clock_thinks_is_late(tender, supplier_user, time_machine):
    set_times(tender, deadline=60)
    time_machine.move_to(tender.submission_deadline + timedelta(seconds=1))
    assert submit(tender, supplier_user).created


def test_a_bid_that_held_the_tender_in_time_is_accepted_though_its_transaction_ends_after_the_deadline(
    tender, supplier_user, monkeypatch
):
    """The moment the tender was held decides (DESIGN §3.2), not how long the rest of the work took."""
    from bidding.services import submission

    original = submission._bid_for_update

    def slow_lock(**kwargs):
        bid = original(**kwargs)
        time.sleep(1.5)  # the deadline passes while the transaction runs
        return bid

    set_times(tender, deadline=1)
    monkeypatch.setattr(submission, "_bid_for_update", slow_lock)
    version = submit(tender, supplier_user).version
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        assert cursor.fetchone()[0] > tender.submission_deadline
    assert version.submitted_at < tender.submission_deadline
    assert AuditEntry.objects.get(action="bid.submit").data["held_tender_at"] == version.submitted_at.isoformat()


def test_a_bid_can_be_withdrawn_before_the_deadline_and_then_not_resubmitted(tender, supplier_user):
    result = submit(tender, supplier_user)
    bid = bid_withdraw(bid=result.bid, actor=supplier_user)
    assert bid.status == Bid.Status.WITHDRAWN
    assert bid.withdrawn_at is not None
    assert AuditEntry.objects.filter(action="bid.withdraw").exists()
    assert Outbox.objects.filter(event="bid.withdrawn", recipient=supplier_user).exists()
    assert bid_withdraw(bid=bid, actor=supplier_user).withdrawn_at == bid.withdrawn_at  # a retry is harmless
    with pytest.raises(DomainError, match="withdrew"):
        submit(tender, supplier_user)


def test_a_bid_cannot_be_withdrawn_after_the_deadline(tender, supplier_user):
    result = submit(tender, supplier_user)
    set_times(tender, deadline=-1)
    with pytest.raises(LateBid):
        bid_withdraw(bid=result.bid, actor=supplier_user)


def test_another_company_cannot_withdraw_a_bid(tender, supplier_user, other_supplier_user):
    result = submit(tender, supplier_user)
    with pytest.raises(DomainError):
        bid_withdraw(bid=result.bid, actor=other_supplier_user)


def test_a_company_not_approved_cannot_bid(tender):
    user = SupplierMemberFactory(supplier__status="pending").user
    with pytest.raises(DomainError, match="not approved"):
        submit(tender, user)


def test_a_suspended_company_cannot_bid(tender):
    user = SupplierMemberFactory(supplier__status="suspended").user
    with pytest.raises(DomainError, match="suspended"):
        submit(tender, user)


def test_a_debarred_company_cannot_bid(tender, supplier_user, platform_admin):
    today = timezone.localdate()
    Sanction.objects.create(
        supplier=supplier_user.supplier_membership.supplier,
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=30),
        legal_ground="국가계약법 제27조",
        reason="Collusion",
        deciding_body="조달청",
        recorded_by=platform_admin,
    )
    with pytest.raises(DomainError, match="debarred"):
        submit(tender, supplier_user)


def test_only_invited_companies_bid_on_a_restricted_tender(official, supplier_user, other_supplier_user):
    from tenders.models import Invitation

    restricted = published_tender(entity=official.official.entity, created_by=official, method="restricted")
    Invitation.objects.create(
        tender=restricted, supplier=supplier_user.supplier_membership.supplier, invited_by=official
    )
    assert submit(restricted, supplier_user).created
    with pytest.raises(DomainError, match="invited"):
        submit(restricted, other_supplier_user)


def _sealed(tender, supplier):
    from bidding.content import bid_input_clean
    from tests.sealing import bid_seal

    bid = bid_input_clean(
        price="1000", currency="KRW", declarations={"no_conflict_of_interest": True, "no_collusion": True}
    )
    return bid_seal(tender, supplier, bid)[0]


def test_a_user_without_a_company_cannot_bid(tender, outsider):
    from bidding.services import bid_submit
    from tests.factories import SupplierFactory

    supplier = SupplierFactory()
    with pytest.raises(DomainError, match="own company"):
        bid_submit(
            tender=tender,
            supplier=supplier,
            actor=outsider,
            sealed=_sealed(tender, supplier),
            idempotency_key=uuid.uuid4(),
        )
    assert not Bid.objects.exists()


def test_one_cannot_bid_for_another_company(tender, supplier_user, other_supplier_user):
    from bidding.services import bid_submit

    supplier = other_supplier_user.supplier_membership.supplier
    with pytest.raises(DomainError, match="own company"):
        bid_submit(
            tender=tender,
            supplier=supplier,
            actor=supplier_user,
            sealed=_sealed(tender, supplier),
            idempotency_key=uuid.uuid4(),
        )


def test_a_draft_or_closed_tender_takes_no_bids(official, supplier_user):
    from tests.factories import TenderFactory

    draft = TenderFactory(entity=official.official.entity)
    with pytest.raises(DomainError):
        submit(draft, supplier_user)
    closed = published_tender(status="closed")
    with pytest.raises(DomainError, match="not open"):
        submit(closed, supplier_user)


def test_an_empty_sealed_document_is_refused(tender, supplier_user):
    with pytest.raises(DomainError, match="empty"):
        submit(tender, supplier_user, documents=[("empty.pdf", b"")])
    assert not BidVersion.objects.exists()


def test_a_best_value_tender_needs_a_technical_proposal(official, supplier_user):
    best = published_tender(evaluation_method="best_value")
    with pytest.raises(DomainError, match="technical proposal"):
        submit(best, supplier_user)
    assert submit(best, supplier_user, documents=[("proposal.pdf", pdf_with("plan"))]).created


def test_price_lines_must_add_up_to_the_total(tender, supplier_user):
    with pytest.raises(DomainError, match="add up"):
        submit(
            tender,
            supplier_user,
            price="1000",
            lines=[{"description": "Desk", "quantity": "2", "unit_price": "400"}],
        )
    assert submit(
        tender,
        supplier_user,
        price="1000",
        lines=[
            {"description": "Desk", "quantity": "2", "unit_price": "400"},
            {"description": "Chair", "quantity": "1", "unit_price": "200"},
        ],
    ).created


@pytest.mark.parametrize("price", ["0", "-5", "abc", "12.5", "1e30"])
def test_the_price_must_be_a_positive_whole_number_of_won(tender, supplier_user, price):
    with pytest.raises(DomainError):
        submit(tender, supplier_user, price=price)


def test_a_company_bidder_without_bidding_role_is_refused(tender):
    from bidding import selectors

    user = SupplierMemberFactory().user
    SupplierMember.objects.filter(user=user).update(role="viewer")
    user.refresh_from_db()
    assert not selectors.bid_eligibility(tender=tender, user=user)


def test_unrelated_users_with_other_roles_are_not_bidders(tender, official, auditor):
    from bidding import selectors

    assert not selectors.bid_eligibility(tender=tender, user=official)
    assert not selectors.bid_eligibility(tender=tender, user=auditor)
    assert not selectors.bid_eligibility(tender=tender, user=UserFactory())


def test_each_company_has_at_most_one_bid_per_tender(tender, supplier_user):
    colleague = SupplierMemberFactory(supplier=supplier_user.supplier_membership.supplier).user
    submit(tender, supplier_user)
    submit(tender, colleague)
    assert Bid.objects.filter(tender=tender).count() == 1
    assert Bid.objects.get(tender=tender).versions.count() == 2


def test_bidder_helper_makes_independent_companies():
    assert bidder().supplier_membership.supplier_id != bidder().supplier_membership.supplier_id

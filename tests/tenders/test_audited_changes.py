"""No record changes without an entry: the database refuses a tender's timeline, status or value
change unless the same transaction wrote an audit entry about that tender."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from procurement.audit import audit_record
from tenders.models import Tender
from tests.bidding.helpers import published_tender

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_deadline_update_outside_a_service_is_refused_by_the_database():
    tender = published_tender()
    original = tender.submission_deadline
    with pytest.raises(IntegrityError, match=r"unaudited change to tenders\.tender"):
        Tender.objects.filter(pk=tender.pk).update(submission_deadline=original + timedelta(days=30))
    tender.refresh_from_db()
    assert tender.submission_deadline == original


@pytest.mark.parametrize(
    "change",
    [
        {"status": Tender.Status.CLOSED},
        {"opening_at": timezone.now() + timedelta(days=40)},
        {"estimated_value": 1},
    ],
)
def test_status_timeline_and_value_changes_need_an_entry_too(change):
    tender = published_tender()
    with pytest.raises(IntegrityError):
        Tender.objects.filter(pk=tender.pk).update(**change)


def test_an_entry_about_another_record_does_not_cover_the_change():
    tender, other = published_tender(), published_tender()
    with pytest.raises(IntegrityError), transaction.atomic():
        Tender.objects.filter(pk=tender.pk).update(submission_deadline=tender.submission_deadline + timedelta(days=1))
        audit_record(actor=None, action="tender.amend", obj=other)


def test_a_change_with_its_entry_in_the_same_transaction_is_kept():
    tender = published_tender()
    later = tender.submission_deadline + timedelta(days=1)
    with transaction.atomic():
        Tender.objects.filter(pk=tender.pk).update(submission_deadline=later)
        audit_record(actor=None, action="tender.amend", obj=tender, data={"to": later})
    tender.refresh_from_db()
    assert tender.submission_deadline == later


def test_scheduler_bookkeeping_needs_no_entry():
    tender = published_tender()
    Tender.objects.filter(pk=tender.pk).update(next_check=timezone.now())


def test_a_document_slipped_in_or_swapped_outside_a_service_is_refused():
    from tenders.models import TenderDocument

    tender = published_tender()
    with pytest.raises(IntegrityError, match=r"unaudited change to tenders\.tender"):
        TenderDocument.objects.create(
            tender=tender, title="Spec", file="x.pdf", original_name="x.pdf", content_type="application/pdf",
            sha256="0" * 64, uploaded_by=tender.created_by,
        )  # fmt: skip


def test_the_sealed_reserve_prices_cannot_be_replaced_outside_a_service():
    from tenders.models import ReservePriceSet

    tender = published_tender(evaluation_method="floor_rate_reserve")
    reserve = ReservePriceSet.objects.get(tender=tender)
    with pytest.raises(IntegrityError, match=r"unaudited change to tenders\.tender"):
        ReservePriceSet.objects.filter(pk=reserve.pk).update(commitment="f" * 64)
    reserve.refresh_from_db()
    assert reserve.commitment != "f" * 64

"""Defect cures: a bidder asked for a missing certificate has a window (by the database clock) to
supply it, and cannot be disqualified for it meanwhile; price and technical proposal contents are
never curable; a real Celery worker closes the windows that pass."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from bidding import services
from bidding.models import Bid, CureRequest
from bidding.services.cures import CureWindowClosed
from bidding.tasks import cures_sweep
from contracts.services import assessment_review, evaluation_start, next_for_review
from procurement.errors import Conflict, Forbidden, Invalid
from procurement.models import AuditEntry, Outbox
from tests.bidding.helpers import bidder, close_and_open, pdf_with, published_tender, submit
from tests.conftest import wait_until

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation(official):
    """An opened lowest-price tender of Olivia's entity; Sam's bid (lowest) is next for review."""
    tender = published_tender(entity=official.official.entity, created_by=official)
    sam, tara = bidder(user__email="sam@supplier.example"), bidder(user__email="tara@supplier.example")
    submit(tender, sam, price="90000000")
    submit(tender, tara, price="95000000")
    close_and_open(tender)
    evaluation = evaluation_start(tender=tender, actor=official)
    return tender, evaluation, sam, tara


def certificate(name="iso9001.pdf"):
    return SimpleUploadedFile(name, pdf_with("ISO-9001-CERT-4471"), "application/pdf")


def shift_due(request: CureRequest, *, seconds: float) -> None:
    """Test setup: put the window's end `seconds` from now by the database clock (negative: past)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE bidding_curerequest SET due_at = clock_timestamp() + make_interval(secs => %s) WHERE id = %s",
            [seconds, request.pk],
        )


def test_a_bidder_cures_a_missing_certificate_within_the_window(evaluation, official, stored_media):
    tender, ev, sam, _tara = evaluation
    bid = Bid.objects.get(tender=tender, supplier=sam.supplier_membership.supplier)
    request = services.cure_request(
        bid=bid, actor=official, kind=CureRequest.Kind.CERTIFICATE, defect="The ISO 9001 certificate is missing."
    )
    assert request.due_at - request.requested_at == timedelta(hours=24)  # the default window
    assert Outbox.objects.filter(event="bid.cure_requested", recipient=sam).exists()
    # While the window runs the bid cannot be failed for it.
    assessment = next_for_review(ev)
    with pytest.raises(Conflict) as refused:
        assessment_review(assessment=assessment, actor=official, passed=False, reason="No ISO certificate")
    assert refused.value.code == "cure_pending"

    cured = services.cure_submit(request=request, actor=sam, file=certificate())
    assert cured.status == CureRequest.Status.CURED
    assert cured.file.read() == pdf_with("ISO-9001-CERT-4471")
    entry = AuditEntry.objects.get(action="bid.cure_submit")
    assert entry.data["sha256"] == cured.sha256
    assert Outbox.objects.filter(event="bid.cure_supplied", recipient=official).exists()
    assessment_review(assessment=next_for_review(ev), actor=official, passed=True)
    assert Bid.objects.get(pk=bid.pk).status == Bid.Status.QUALIFIED


def test_a_cured_upload_one_second_after_the_window_is_refused(evaluation, official, stored_media):
    tender, _ev, sam, _tara = evaluation
    bid = Bid.objects.get(tender=tender, supplier=sam.supplier_membership.supplier)
    request = services.cure_request(bid=bid, actor=official, kind=CureRequest.Kind.LICENCE, defect="Licence expired.")
    shift_due(request, seconds=-1)
    # The sweep has not run: the request is still "open", and the upload is refused all the same.
    assert CureRequest.objects.get(pk=request.pk).status == CureRequest.Status.OPEN
    with pytest.raises(CureWindowClosed):
        services.cure_submit(request=request, actor=sam, file=certificate())
    assert stored_media() == []  # the stored file went again with the refused transaction
    assert not AuditEntry.objects.filter(action="bid.cure_submit").exists()


def test_price_and_technical_proposal_contents_can_never_be_cured(evaluation, official):
    tender, _ev, sam, _tara = evaluation
    bid = Bid.objects.get(tender=tender, supplier=sam.supplier_membership.supplier)
    for kind in ("price", "technical_proposal", "price_lines", "reserve_picks", "anything"):
        with pytest.raises(Invalid):
            services.cure_request(bid=bid, actor=official, kind=kind, defect="change it")
    assert not CureRequest.objects.exists()


def test_only_the_entity_requests_and_only_the_bidders_company_supplies(evaluation, official, outsider, stored_media):
    tender, _ev, sam, tara = evaluation
    bid = Bid.objects.get(tender=tender, supplier=sam.supplier_membership.supplier)
    with pytest.raises(Forbidden):
        services.cure_request(bid=bid, actor=outsider, kind=CureRequest.Kind.CERTIFICATE, defect="missing")
    request = services.cure_request(bid=bid, actor=official, kind=CureRequest.Kind.CERTIFICATE, defect="missing")
    with pytest.raises(Forbidden):
        services.cure_submit(request=request, actor=tara, file=certificate())


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_lapses_a_missed_window_and_only_then_the_bid_may_be_disqualified(
    official, private_redis, use_broker, celery_worker_factory, stored_media
):
    tender = published_tender(entity=official.official.entity, created_by=official)
    sam = bidder(user__email="sam@supplier.example")
    submit(tender, sam, price="90000000")
    submit(tender, bidder(), price="95000000")
    close_and_open(tender)
    ev = evaluation_start(tender=tender, actor=official)
    bid = Bid.objects.get(tender=tender, supplier=sam.supplier_membership.supplier)
    request = services.cure_request(
        bid=bid, actor=official, kind=CureRequest.Kind.TAX_CLEARANCE, defect="Tax clearance missing."
    )
    shift_due(request, seconds=2)
    private_redis.start()
    use_broker(private_redis.url)
    celery_worker_factory(private_redis.url)
    with pytest.raises(Conflict):
        assessment_review(assessment=next_for_review(ev), actor=official, passed=False, reason="No tax clearance")
    wait_until(lambda: _due_passed(request), timeout=10)
    cures_sweep.apply_async()  # what beat sends every minute
    wait_until(lambda: CureRequest.objects.get(pk=request.pk).status == CureRequest.Status.LAPSED, timeout=30)
    assert Outbox.objects.filter(event="bid.cure_lapsed", recipient=sam).exists()
    assert AuditEntry.objects.filter(action="bid.cure_lapse").count() == 1
    with pytest.raises(CureWindowClosed):
        services.cure_submit(request=request, actor=sam, file=certificate())
    assessment_review(assessment=next_for_review(ev), actor=official, passed=False, reason="No tax clearance")
    assert Bid.objects.get(pk=bid.pk).status == Bid.Status.DISQUALIFIED


def _due_passed(request: CureRequest) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp() >= due_at FROM bidding_curerequest WHERE id = %s", [request.pk])
        return cursor.fetchone()[0]

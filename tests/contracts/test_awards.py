"""Awards: proposal, notices with ranks, standstill on the clock, complaints, finalisation, sweep."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bidding.models import Bid
from contracts import services
from contracts.models import Assessment, Award, Complaint, Evaluation
from contracts.tasks import awards_sweep
from procurement.errors import DomainError, InvalidTransition
from procurement.models import Outbox
from tenders.models import Tender
from tests.bidding.helpers import pdf_with, published_tender, submit

from .conftest import opened_tender

pytestmark = pytest.mark.django_db


def evaluated_tender(official, prices=("90000000", "95000000", "99000000")):
    """Evaluated with the lowest bid passing review; returns (tender, users)."""
    tender, users = opened_tender(official, list(prices))
    evaluation = services.evaluation_start(tender=tender, actor=official)
    services.assessment_review(assessment=services.next_for_review(evaluation), actor=official, passed=True)
    services.evaluation_complete(evaluation=evaluation, actor=official)
    tender.refresh_from_db()
    return tender, users


def after_standstill(award):
    return time_machine.travel(award.standstill_until + timedelta(seconds=1), tick=False)


def test_an_award_cannot_be_proposed_before_the_bids_are_opened(official, supplier_user):
    tender = published_tender(entity=official.official.entity, created_by=official)
    submit(tender, supplier_user)

    with pytest.raises(InvalidTransition):
        services.award_propose(tender=tender, actor=official)

    assert not Award.objects.exists()


def test_an_award_cannot_be_proposed_before_the_evaluation_is_complete(official):
    tender, _users = opened_tender(official, ["90000000"])
    services.evaluation_start(tender=tender, actor=official)

    with pytest.raises(InvalidTransition):
        services.award_propose(tender=tender, actor=official)


def test_proposing_starts_the_standstill_and_tells_every_bidder_their_rank(official, settings):
    settings.STANDSTILL_DAYS = 7
    tender, users = evaluated_tender(official)
    before = timezone.now()

    award = services.award_propose(tender=tender, actor=official)

    assert award.status == Award.Status.STANDSTILL
    assert award.supplier == users[0].supplier_membership.supplier
    assert award.value == 90_000_000
    assert timedelta(days=7) <= award.standstill_until - before < timedelta(days=7, minutes=1)
    winner_notice = Outbox.objects.get(event="award.proposed", recipient=users[0])
    assert "proposed winner" in winner_notice.body
    second_notice = Outbox.objects.get(event="award.proposed", recipient=users[1])
    assert "ranked 2" in second_notice.body
    assert "ranked 3" in Outbox.objects.get(event="award.proposed", recipient=users[2]).body
    tender.refresh_from_db()
    assert tender.status == Tender.Status.EVALUATED  # awarded only when the award is final


def test_the_award_is_refused_finality_before_the_standstill_ends(official):
    tender, _users = evaluated_tender(official)
    award = services.award_propose(tender=tender, actor=official)

    with time_machine.travel(award.standstill_until - timedelta(seconds=1), tick=False):
        with pytest.raises(services.StandstillRunning):
            services.award_finalise(award=award, actor=official)
        with pytest.raises(services.StandstillRunning):
            services.award_finalise(award=award)  # the sweep's way, too
    award.refresh_from_db()
    assert award.status == Award.Status.STANDSTILL


def test_after_the_standstill_the_award_becomes_final_and_the_tender_awarded(official):
    tender, users = evaluated_tender(official)
    award = services.award_propose(tender=tender, actor=official)

    with after_standstill(award):
        services.award_finalise(award=award, actor=official)

    award.refresh_from_db()
    tender.refresh_from_db()
    assert award.status == Award.Status.FINAL
    assert tender.status == Tender.Status.AWARDED
    statuses = dict(Bid.objects.filter(tender=tender).values_list("supplier__members__user", "status"))
    assert statuses[users[0].pk] == Bid.Status.AWARDED
    assert statuses[users[1].pk] == statuses[users[2].pk] == Bid.Status.NOT_AWARDED
    assert Outbox.objects.filter(event="award.final", recipient=users[1]).exists()


def test_the_sweep_finalises_due_awards_only(official):
    due_tender, _ = evaluated_tender(official)
    due = services.award_propose(tender=due_tender, actor=official)
    later_tender, _ = evaluated_tender(official)
    later = services.award_propose(tender=later_tender, actor=official)
    Award.objects.filter(pk=later.pk).update(standstill_until=due.standstill_until + timedelta(days=3))

    with after_standstill(due):
        result = awards_sweep()
        again = awards_sweep()

    assert result == {"finalised": 1, "skipped": 0}
    assert again == {"finalised": 0, "skipped": 0}
    assert Award.objects.get(pk=due.pk).status == Award.Status.FINAL
    assert Award.objects.get(pk=later.pk).status == Award.Status.STANDSTILL


def test_a_bidder_lodges_a_complaint_that_holds_the_award_until_it_is_answered(official):
    tender, users = evaluated_tender(official)
    award = services.award_propose(tender=tender, actor=official)
    evidence = SimpleUploadedFile("evidence.pdf", pdf_with("evidence"), content_type="application/pdf")

    complaint = services.complaint_lodge(
        award=award, actor=users[1], grounds="The winner lacks the required licence.", documents=[evidence]
    )

    assert complaint.documents.get().sha256
    assert Outbox.objects.filter(event="complaint.lodged", recipient=official).exists()
    with after_standstill(award):
        assert awards_sweep() == {"finalised": 0, "skipped": 0}
        with pytest.raises(DomainError, match="open complaint"):
            services.award_finalise(award=award, actor=official)
        services.complaint_decide(
            complaint=complaint, actor=official, upheld=False, decision="The licence was checked: valid until 2030."
        )
        assert awards_sweep() == {"finalised": 1, "skipped": 0}
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.DISMISSED
    assert "valid until 2030" in Outbox.objects.get(event="complaint.dismissed", recipient=users[1]).body


def test_complaints_are_refused_after_the_standstill(official):
    tender, users = evaluated_tender(official)
    award = services.award_propose(tender=tender, actor=official)
    with after_standstill(award), pytest.raises(InvalidTransition):
        services.complaint_lodge(award=award, actor=users[1], grounds="Too late.")


def test_only_losing_bidders_can_complain(official, supplier_user, auditor):
    tender, users = evaluated_tender(official)
    award = services.award_propose(tender=tender, actor=official)
    with pytest.raises(DomainError, match="winning bidder"):
        services.complaint_lodge(award=award, actor=users[0], grounds="Hmm.")
    for outsider in (supplier_user, official, auditor):
        with pytest.raises(DomainError):
            services.complaint_lodge(award=award, actor=outsider, grounds="Hmm.")
    assert not Complaint.objects.exists()


def test_complaint_documents_are_checked_by_content(official):
    tender, users = evaluated_tender(official)
    award = services.award_propose(tender=tender, actor=official)
    script = SimpleUploadedFile("grounds.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, content_type="application/pdf")

    with pytest.raises(DomainError):
        services.complaint_lodge(award=award, actor=users[1], grounds="See attachment.", documents=[script])
    assert not Complaint.objects.exists()


def test_an_upheld_complaint_cancels_the_award_and_reopens_the_evaluation(official):
    tender, users = evaluated_tender(official)
    award = services.award_propose(tender=tender, actor=official)
    complaint = services.complaint_lodge(award=award, actor=users[1], grounds="The winner's licence expired.")
    other = services.complaint_lodge(award=award, actor=users[2], grounds="Same.")

    services.complaint_decide(complaint=complaint, actor=official, upheld=True, decision="Confirmed: expired in May.")

    award.refresh_from_db()
    evaluation = Evaluation.objects.get(tender=tender)
    tender.refresh_from_db()
    assert award.status == Award.Status.CANCELLED
    assert "expired in May" in award.cancellation_reason
    assert evaluation.status == Evaluation.Status.IN_PROGRESS
    assert evaluation.round == 2
    assert tender.status == Tender.Status.EVALUATED  # tenders has no way back; evaluated until final
    assert Complaint.objects.get(pk=other.pk).status == Complaint.Status.CLOSED
    assert Outbox.objects.filter(event="award.cancelled", recipient=users[2]).exists()

    # The winner goes back to review; this time it fails and the second bid wins.
    first = services.next_for_review(evaluation)
    assert first.bid.supplier == users[0].supplier_membership.supplier
    services.assessment_review(assessment=first, actor=official, passed=False, reason="Licence expired.")
    services.assessment_review(assessment=services.next_for_review(evaluation), actor=official, passed=True)
    services.evaluation_complete(evaluation=evaluation, actor=official)
    second_award = services.award_propose(tender=tender, actor=official)
    assert second_award.supplier == users[1].supplier_membership.supplier
    assert second_award.evaluation_round == 2
    assert Assessment.objects.get(bid__supplier=users[0].supplier_membership.supplier).decision == "failed"


def test_an_official_may_cancel_an_award_during_the_standstill(official):
    tender, _users = evaluated_tender(official)
    award = services.award_propose(tender=tender, actor=official)
    with pytest.raises(DomainError):
        services.award_cancel(award=award, actor=official, reason="")

    services.award_cancel(award=award, actor=official, reason="Arithmetic error in the ranking.")

    assert Award.objects.get(pk=award.pk).status == Award.Status.CANCELLED
    assert Evaluation.objects.get(tender=tender).status == Evaluation.Status.IN_PROGRESS


def test_with_the_four_eyes_rule_a_second_official_approves_before_bidders_are_told(official, second_official):
    entity = official.official.entity
    entity.requires_second_approval = True
    entity.save()
    tender, users = evaluated_tender(official)

    award = services.award_propose(tender=tender, actor=official)

    assert award.status == Award.Status.PROPOSED
    assert not Outbox.objects.filter(event="award.proposed").exists()
    assert Outbox.objects.filter(event="award.approval_requested", recipient=second_official).exists()
    with pytest.raises(DomainError):
        services.award_approve(award=award, actor=official)  # not their own proposal
    services.award_approve(award=award, actor=second_official)
    award.refresh_from_db()
    assert award.status == Award.Status.STANDSTILL
    assert Outbox.objects.filter(event="award.proposed", recipient=users[0]).exists()


def test_a_second_award_cannot_be_proposed_while_one_is_live(official):
    tender, _users = evaluated_tender(official)
    services.award_propose(tender=tender, actor=official)
    with pytest.raises(DomainError):
        services.award_propose(tender=tender, actor=official)

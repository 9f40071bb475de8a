"""Every allowed tender transition works; every refused one is refused and changes nothing."""

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from procurement.errors import DomainError, InvalidTransition
from procurement.models import AuditEntry
from tenders import services
from tenders.models import Tender
from tests import sealing
from tests.tenders.conftest import future, tender_data

S = Tender.Status
pytestmark = pytest.mark.django_db


def force_status(tender, status):
    """Put a tender in a state for a test, as the other apps' services would have left it."""
    Tender.objects.filter(pk=tender.pk).update(status=status)
    tender.refresh_from_db()
    return tender


def move(tender, to, actor):
    """Call the service that owns the transition to `to`."""
    if to == S.PUBLISHED:
        return sealing.publish(tender=tender, actor=actor)
    if to == S.PENDING_APPROVAL:
        return services.tender_submit_for_approval(tender=tender, actor=actor)
    if to == S.DRAFT:
        return services.tender_return_to_draft(tender=tender, actor=actor, reason="Fix the value")
    if to == S.CANCELLED:
        return services.tender_cancel(tender=tender, actor=actor, reason="Budget withdrawn")
    if to == S.UNSUCCESSFUL:
        return services.tender_mark_unsuccessful(tender=tender, actor=actor, reason="No valid bid")
    return services.tender_set_status(tender=tender, to=to, actor=actor)


REFUSED = [(src, dst) for src in S for dst in S if dst not in Tender.TRANSITIONS[src]]
ALLOWED = [(src, dst) for src in S for dst in sorted(Tender.TRANSITIONS[src])]


def test_the_table_covers_every_status():
    assert set(Tender.TRANSITIONS) == set(S)


@pytest.mark.parametrize(("source", "target"), REFUSED, ids=[f"{s}-to-{t}" for s, t in REFUSED])
def test_it_refuses_a_transition_the_table_does_not_allow(official, draft, source, target):
    tender = force_status(draft, source)
    audit_before = AuditEntry.objects.count()
    with pytest.raises(InvalidTransition):
        move(tender, target, official)
    tender.refresh_from_db()
    assert tender.status == source
    assert AuditEntry.objects.count() == audit_before


@pytest.mark.parametrize(("source", "target"), ALLOWED, ids=[f"{s}-to-{t}" for s, t in ALLOWED])
def test_it_allows_each_transition_in_the_table(official, bob, draft, source, target):
    if target == S.PUBLISHED and source == S.PENDING_APPROVAL:
        tender = force_status(draft, source)
        tender = sealing.approve(tender=tender, actor=bob)
    elif target == S.PENDING_APPROVAL:
        draft.entity.requires_second_approval = True
        draft.entity.save()
        tender = move(draft, target, official)
    else:
        tender = force_status(draft, source)
        tender = move(tender, target, official)
    tender.refresh_from_db()
    assert tender.status == target
    assert AuditEntry.objects.filter(object_type="tenders.tender", object_id=str(tender.pk)).exists()


def test_publication_allocates_reference_ocid_keys_and_the_first_version(official, draft, settings):
    tender = sealing.publish(tender=draft, actor=official)
    year = timezone.localtime(tender.published_at).year
    assert tender.reference.startswith(f"{year}-")
    assert len(tender.reference) == len(f"{year}-00001")
    assert tender.ocid == f"{settings.OCDS_PREFIX}-{tender.reference}"
    assert len(bytes(tender.public_key)) == 32
    assert all(len(bytes(tc.sealed_share)) == 81 for tc in tender.custodians.all())
    assert tender.next_check == tender.submission_deadline
    assert tender.versions.get().amendment_number == 0
    assert tender.version == 0
    entry = AuditEntry.objects.get(action="tender.publish")
    assert entry.data["reference"] == tender.reference


def test_references_count_up_within_the_year(official):
    first = sealing.publish(tender=services.tender_create(actor=official, data=tender_data()), actor=official)
    second = sealing.publish(tender=services.tender_create(actor=official, data=tender_data()), actor=official)
    assert int(second.reference.split("-")[1]) == int(first.reference.split("-")[1]) + 1


def test_an_entity_that_requires_approval_cannot_publish_directly(official, draft):
    draft.entity.requires_second_approval = True
    draft.entity.save()
    with pytest.raises(DomainError, match="approve"):
        sealing.publish(tender=draft, actor=official)
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_the_drafter_cannot_approve_their_own_tender(official, draft):
    official.official.can_approve = True
    official.official.save()
    draft.entity.requires_second_approval = True
    draft.entity.save()
    services.tender_submit_for_approval(tender=draft, actor=official)
    with pytest.raises(DomainError, match="second official"):
        sealing.approve(tender=draft, actor=official)


def test_an_official_without_approval_rights_cannot_approve(official, bob, draft):
    bob.official.can_approve = False
    bob.official.save()
    force_status(draft, S.PENDING_APPROVAL)
    with pytest.raises(DomainError, match="not authorised"):
        sealing.approve(tender=draft, actor=bob)


def test_an_approver_of_another_entity_cannot_approve(rita, draft):
    force_status(draft, S.PENDING_APPROVAL)
    with pytest.raises(DomainError):
        sealing.approve(tender=draft, actor=rita)


def test_approval_publishes_and_records_the_approver(official, bob, draft):
    draft.entity.requires_second_approval = True
    draft.entity.save()
    services.tender_submit_for_approval(tender=draft, actor=official)
    tender = sealing.approve(tender=draft, actor=bob)
    assert tender.status == S.PUBLISHED
    assert tender.approved_by == bob


def test_submitting_for_approval_tells_the_approvers_but_not_the_drafter(official, bob, draft):
    from procurement.models import Outbox

    draft.entity.requires_second_approval = True
    draft.entity.save()
    services.tender_submit_for_approval(tender=draft, actor=official)
    assert list(Outbox.objects.filter(event="tender.approval_requested").values_list("recipient", flat=True)) == [
        bob.pk
    ]


def test_a_tender_that_would_fail_publication_cannot_be_submitted_for_approval(official, draft):
    draft.entity.requires_second_approval = True
    draft.entity.save()
    Tender.objects.filter(pk=draft.pk).update(submission_deadline=future(days=2), opening_at=future(days=3))
    draft.refresh_from_db()
    with pytest.raises(services.TenderValidationError) as exc:
        services.tender_submit_for_approval(tender=draft, actor=official)
    assert "submission_deadline" in exc.value.errors


def test_cancelling_needs_a_reason(official, published):
    with pytest.raises(services.TenderValidationError):
        services.tender_cancel(tender=published, actor=official, reason="  ")


def test_cancelling_clears_next_check_and_keeps_the_public_reason(official, published):
    tender = services.tender_cancel(tender=published, actor=official, reason="예산 삭감")
    assert tender.next_check is None
    assert tender.cancellation_reason == "예산 삭감"


def test_an_official_of_another_entity_cannot_cancel(rita, published):
    with pytest.raises(DomainError):
        services.tender_cancel(tender=published, actor=rita, reason="Mine now")
    published.refresh_from_db()
    assert published.status == S.PUBLISHED


def test_unsuccessful_can_be_marked_by_the_system(published):
    force_status(published, S.CLOSED)
    tender = services.tender_mark_unsuccessful(tender=published, actor=None, reason="No bids")
    assert tender.status == S.UNSUCCESSFUL
    assert AuditEntry.objects.filter(action="tender.mark_unsuccessful", actor__isnull=True).exists()


@pytest.mark.parametrize("status", [S.CANCELLED, S.UNSUCCESSFUL])
def test_retender_copies_into_a_new_draft(official, published, status):
    old = force_status(published, status)
    copy = services.tender_retender(tender=old, actor=official)
    assert copy.status == S.DRAFT
    assert copy.retendered_from == old
    assert copy.title == old.title
    assert copy.reference is None
    assert copy.submission_deadline is None
    assert copy.public_key is None


@pytest.mark.parametrize("status", [s for s in S if s not in (S.CANCELLED, S.UNSUCCESSFUL)])
def test_retender_is_refused_unless_cancelled_or_unsuccessful(official, draft, status):
    tender = force_status(draft, status)
    with pytest.raises(DomainError):
        services.tender_retender(tender=tender, actor=official)
    assert Tender.objects.count() == 1


@pytest.mark.parametrize("target", [S.PUBLISHED, S.CANCELLED, S.DRAFT, S.PENDING_APPROVAL, S.UNSUCCESSFUL])
def test_set_status_sends_owned_transitions_to_their_own_service(official, published, target):
    with pytest.raises(ValueError, match=r"tenders\.services"):
        services.tender_set_status(tender=published, to=target, actor=official)


def test_set_status_can_set_the_next_check(official, published):
    at = future(days=11)
    tender = services.tender_set_status(tender=published, to=S.CLOSED, actor=None, next_check=at, data={"bids": 3})
    assert tender.next_check == at
    data = AuditEntry.objects.get(action="tender.closed").data
    assert data["bids"] == 3
    assert data["changes"]["status"] == {"from": "published", "to": "closed"}
    # JSON keeps milliseconds
    assert abs(parse_datetime(data["changes"]["next_check"]["to"]) - at).total_seconds() < 0.001

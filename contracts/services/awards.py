"""Awards: proposal (with approval where the entity requires it), standstill, final or cancelled.

The standstill runs on Python's clock (`timezone.now()`): it starts and is checked against the same
clock, in whole days, and nothing about it races a commit the way a bid deadline does (that one is
compared with the database clock). Using Python's clock lets tests (time-machine) and the demo move
it; award_finalise checks it itself, so a sweep that runs early — or a person — is refused.

Locks: tender (FOR UPDATE) → evaluation → award → complaints → bids, in that order everywhere.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bidding.models import Bid
from bidding.services import bid_set_status
from procurement.audit import audit_record, transparency_request_head
from procurement.errors import Conflict, DomainError, Forbidden, InvalidTransition
from procurement.notifications import notify
from procurement.states import check_transition
from tenders.models import Tender
from tenders.selectors import is_approver_of, tender_for_update
from tenders.services import tender_set_status
from tenders.services.common import require_entity_official

from ..models import Assessment, Award, Complaint, Evaluation
from .common import clean_reason, entity_officials, members_of_supplier, opened_bids_of
from .evaluation import evaluation_reopen_locked

logger = logging.getLogger(__name__)


class StandstillRunning(Conflict):
    code = "standstill_running"


def _award_for_update(award_id: int) -> Award:
    return Award.objects.select_for_update(of=("self",)).select_related("tender", "supplier").get(pk=award_id)


def _link(award: Award) -> str:
    return reverse("contracts:award", args=[award.pk])


def award_propose(*, tender: Tender, actor) -> Award:
    """Propose the award to the evaluation's winner. Without a second-approval rule the standstill
    starts at once and every bidder is told the result and their rank."""
    with transaction.atomic():
        tender = tender_for_update(tender.pk)
        require_entity_official(tender, actor)
        if tender.status != Tender.Status.EVALUATED:
            raise InvalidTransition(
                _("An award can only be proposed for an evaluated tender (this one is “%(status)s”).")
                % {"status": tender.get_status_display()}
            )
        evaluation = Evaluation.objects.select_for_update().get(tender=tender)
        if evaluation.status != Evaluation.Status.COMPLETED or evaluation.winner_id is None:
            raise InvalidTransition(_("Complete the evaluation before proposing the award."))
        if Award.objects.filter(tender=tender, status__in=Award.ACTIVE_STATUSES).exists():
            raise Conflict(_("This tender already has an award in progress."), code="award_exists")
        winner = Bid.objects.select_related("opened", "supplier").get(pk=evaluation.winner_id)
        award = Award.objects.create(
            tender=tender,
            bid=winner,
            supplier=winner.supplier,
            evaluation_round=evaluation.round,
            value=winner.opened.price,
            currency=winner.opened.currency,
            proposed_by=actor,
        )
        proposed = audit_record(
            actor=actor,
            action="award.propose",
            obj=award,
            before=dict.fromkeys(("status", "value", "bid_id", "supplier_id")),
            data={"tender": tender.pk, "bid": winner.pk, "supplier": winner.supplier_id, "value": award.value},
        )
        transparency_request_head(after=proposed)
        if tender.entity.requires_second_approval:
            notify(
                event="award.approval_requested",
                recipients=entity_officials(tender).filter(official__can_approve=True).exclude(pk=actor.pk),
                template="award_approval_requested",
                context={"tender": tender, "award": award},
                link=_link(award),
            )
        else:
            _standstill_start(award, actor=actor)
    return award


def award_approve(*, award: Award, actor) -> Award:
    """Second official's approval of a proposed award (entities with the four-eyes rule)."""
    with transaction.atomic():
        tender = tender_for_update(award.tender_id)
        require_entity_official(tender, actor)
        award = _award_for_update(award.pk)
        if not is_approver_of(actor, tender.entity_id) or award.proposed_by_id == actor.pk:
            raise Forbidden(_("A second official with approval rights must approve the award."))
        check_transition(award, Award.Status.STANDSTILL, Award.TRANSITIONS)
        award.approved_by = actor
        award.save(update_fields=["approved_by"])
        _standstill_start(award, actor=actor)
    return award


def _bidder_ranks(tender: Tender) -> dict[int, int | None]:
    return dict(Assessment.objects.filter(evaluation__tender=tender).values_list("bid_id", "rank"))


def _standstill_start(award: Award, *, actor) -> None:
    check_transition(award, Award.Status.STANDSTILL, Award.TRANSITIONS)
    before = {"status": award.status, "standstill_until": award.standstill_until}
    now = timezone.now()
    award.status = Award.Status.STANDSTILL
    award.standstill_started_at = now
    award.standstill_until = now + timedelta(days=settings.STANDSTILL_DAYS)
    award.save(update_fields=["status", "standstill_started_at", "standstill_until"])
    audit_record(
        actor=actor,
        action="award.standstill",
        obj=award,
        before=before,
        data={"tender": award.tender_id, "until": award.standstill_until, "days": settings.STANDSTILL_DAYS},
    )
    ranks = _bidder_ranks(award.tender)
    for bid in opened_bids_of(award.tender):
        notify(
            event="award.proposed",
            recipients=members_of_supplier(bid.supplier_id),
            template="award_proposed",
            context={
                "tender": award.tender,
                "award": award,
                "winner": award.supplier,
                "is_winner": bid.pk == award.bid_id,
                "rank": ranks.get(bid.pk),
                "bid_status": bid.get_status_display(),
                "reason": bid.status_reason,
                "until": award.standstill_until,
            },
            link=_link(award),
        )


def award_finalise(*, award: Award, actor=None) -> Award:
    """The standstill is over and no complaint is open: the award is final (tender → awarded).

    Called by an official or by the beat sweep (actor None): either way it checks the clock and the
    complaints itself, so it refuses before standstill_until.
    """
    with transaction.atomic():
        tender = tender_for_update(award.tender_id)
        if actor is not None:
            require_entity_official(tender, actor)
        award = _award_for_update(award.pk)
        check_transition(award, Award.Status.FINAL, Award.TRANSITIONS)
        before = {"status": award.status}
        now = timezone.now()
        if now < award.standstill_until:
            raise StandstillRunning(
                _("The standstill period runs until %(until)s; the award cannot become final before then.")
                % {"until": date_format(timezone.localtime(award.standstill_until), "DATETIME_FORMAT")}
            )
        if award.complaints.filter(status=Complaint.Status.OPEN).exists():
            raise Conflict(_("Answer every open complaint before the award becomes final."), code="complaints_open")
        award.status = Award.Status.FINAL
        award.finalised_at = now
        award.save(update_fields=["status", "finalised_at"])
        winner = Bid.objects.get(pk=award.bid_id)
        if winner.status != Bid.Status.AWARDED:
            bid_set_status(bid=winner, to=Bid.Status.AWARDED, actor=actor)
        for bid in Bid.objects.filter(tender=tender, status__in=(Bid.Status.OPENED, Bid.Status.QUALIFIED)).exclude(
            pk=award.bid_id
        ):
            bid_set_status(bid=bid, to=Bid.Status.NOT_AWARDED, actor=actor)
        final = audit_record(
            actor=actor,
            action="award.finalise",
            obj=award,
            before=before,
            data={"tender": tender.pk, "bid": award.bid_id},
        )
        transparency_request_head(after=final)
        tender_set_status(
            tender=tender, to=Tender.Status.AWARDED, actor=actor, data={"award": award.pk, "bid": award.bid_id}
        )
        recipients = list(entity_officials(tender))
        for bid in opened_bids_of(tender):
            recipients.extend(members_of_supplier(bid.supplier_id))
        notify(
            event="award.final",
            recipients=recipients,
            template="award_final",
            context={"tender": tender, "award": award, "winner": award.supplier},
            link=_link(award),
        )
    return award


def award_cancel_locked(*, tender: Tender, award: Award, actor, reason: str) -> Award:
    """Cancel a live award and reopen the evaluation; the caller holds the tender and award locks."""
    check_transition(award, Award.Status.CANCELLED, Award.TRANSITIONS)
    before = {"status": award.status}
    award.status = Award.Status.CANCELLED
    award.cancelled_at = timezone.now()
    award.cancellation_reason = reason
    award.save(update_fields=["status", "cancelled_at", "cancellation_reason"])
    for complaint in award.complaints.select_for_update().filter(status=Complaint.Status.OPEN):
        complaint_before = {"status": complaint.status}
        complaint.status = Complaint.Status.CLOSED
        complaint.decision = _("Closed: the award was cancelled.")
        complaint.decided_at = timezone.now()
        complaint.save(update_fields=["status", "decision", "decided_at"])
        audit_record(
            actor=actor,
            action="complaint.close",
            obj=complaint,
            before=complaint_before,
            data={"tender": tender.pk, "award": award.pk},
        )
    audit_record(
        actor=actor, action="award.cancel", obj=award, before=before, data={"tender": tender.pk, "reason": reason}
    )
    evaluation = Evaluation.objects.select_for_update().get(tender=tender)
    evaluation_reopen_locked(evaluation=evaluation, actor=actor, reason=reason)
    recipients = list(entity_officials(tender))
    for bid in opened_bids_of(tender):
        recipients.extend(members_of_supplier(bid.supplier_id))
    notify(
        event="award.cancelled",
        recipients=recipients,
        template="award_cancelled",
        context={"tender": tender, "award": award, "reason": reason},
        link=_link(award),
    )
    return award


def award_cancel(*, award: Award, actor, reason: str) -> Award:
    """An official withdraws a proposed award (before it is final); the evaluation is reopened."""
    reason = clean_reason(reason, message=_("Give the reason for cancelling the award; bidders will see it."))
    with transaction.atomic():
        tender = tender_for_update(award.tender_id)
        require_entity_official(tender, actor)
        award = _award_for_update(award.pk)
        return award_cancel_locked(tender=tender, award=award, actor=actor, reason=reason)


def awards_due_ids(*, now=None, limit: int = 50) -> list[int]:
    """Awards whose standstill is over with no open complaint, skipping rows another worker holds."""
    now = now or timezone.now()
    with transaction.atomic():
        return list(
            Award.objects.select_for_update(skip_locked=True)
            .filter(status=Award.Status.STANDSTILL, standstill_until__lte=now)
            .exclude(complaints__status=Complaint.Status.OPEN)
            .order_by("standstill_until")
            .values_list("pk", flat=True)[:limit]
        )


def awards_finalise_due(*, limit: int = 50) -> dict:
    """The beat sweep's work: finalise every award that is due, through award_finalise."""
    finalised, failed = [], []
    for award_id in awards_due_ids(limit=limit):
        try:
            award_finalise(award=Award.objects.get(pk=award_id))
        except DomainError as exc:  # a complaint lodged meanwhile, or finalised by an official
            failed.append((award_id, str(exc)))
        except Exception as exc:  # one broken award must not stop the others
            logger.exception("award %s could not be finalised", award_id)
            failed.append((award_id, f"{type(exc).__name__}: {exc}"))
        else:
            finalised.append(award_id)
    return {"finalised": finalised, "skipped": failed}


__all__ = [
    "StandstillRunning",
    "award_approve",
    "award_cancel",
    "award_cancel_locked",
    "award_finalise",
    "award_propose",
    "awards_due_ids",
    "awards_finalise_due",
]

"""Moving an opened bid through evaluation: the service the contracts app calls."""

from django.db import transaction
from django.utils.translation import gettext as _

from procurement.audit import audit_record
from procurement.errors import Invalid
from procurement.states import check_transition

from ..models import Bid, ClockTimestamp


def bid_set_status(*, bid: Bid, to: str, actor, reason: str = "") -> Bid:
    """Move a bid on after opening: opened → qualified | disqualified | not_awarded,
    qualified → awarded | not_awarded | disqualified, awarded → not_awarded (award cancelled).

    Locks the bid row, checks Bid.TRANSITIONS, records the reason, audits — in the caller's
    transaction when there is one. `opened` (only opening sets it) and `withdrawn` (bid_withdraw)
    are refused here. Disqualification needs a reason. Notifications are the caller's.
    """
    if to in Bid.OPENING_STATUSES or to == Bid.Status.WITHDRAWN:
        raise ValueError(f"A bid becomes {to} through bid_open_all / bid_withdraw, not bid_set_status.")
    reason = (reason or "").strip()
    if to == Bid.Status.DISQUALIFIED and not reason:
        raise Invalid(_("Give the reason for disqualifying the bid."), field="reason")
    with transaction.atomic():
        locked = Bid.objects.select_for_update().get(pk=bid.pk)
        before = {"status": locked.status, "status_reason": locked.status_reason}
        check_transition(locked, to, Bid.TRANSITIONS)
        Bid.objects.filter(pk=locked.pk).update(status=to, status_reason=reason, status_changed_at=ClockTimestamp())
        locked.refresh_from_db(fields=["status", "status_reason", "status_changed_at"])
        audit_record(
            actor=actor,
            action=f"bid.{to}",
            obj=locked,
            data={"tender": locked.tender_id},
            before=before,
        )
    return locked

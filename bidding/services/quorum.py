"""Key custodians release their shares after the deadline; the opening waits for k good ones.

- At closing (services.opening) the platform's share is released and the human custodians are
  told their share is due.
- `key_share_submit`: a custodian posts its share (decrypted in its browser). Refused before the
  deadline by the database clock. As soon as k shares recombine to the tender's public key the
  opening is queued (it still waits for the opening time by itself).
- `opening_quorum_wait`: what the scheduler does when the opening time has come without k good
  shares: wait until OPENING_QUORUM_GRACE is over, then tell the entity's officials and the
  auditors once (the tender page says publicly why the opening waits).
"""

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from procurement.audit import audit_record
from procurement.errors import Conflict, Forbidden, Invalid
from procurement.notifications import notify
from procurement.roles import Role
from procurement.sealing import SHARE_BYTES
from tenders.models import Tender
from tenders.selectors import tender_entity_officials, tender_for_update

from ..keys import TooEarly, deadline_passed, opening_time_reached, shares_verify
from ..models import KeyShareRelease, OpeningRecord, TenderClosing


def custodians_notify_share_due(tender: Tender) -> None:
    """Tell the tender's human custodians that their share is due (the closing's transaction)."""
    notify(
        event="tender.key_share_due",
        recipients=[
            tc.custodian.user for tc in tender.custodians.select_related("custodian__user") if tc.custodian.user
        ],
        template="custodian_share_due",
        context={"tender": tender},
        link=reverse("bidding:key_share", args=[tender.pk]),
    )


def key_share_submit(*, tender_id: int, actor, share: bytes) -> KeyShareRelease:
    """Store a custodian's released share of the tender key; queue the opening once k are good."""
    if len(share) != SHARE_BYTES:
        raise Invalid(_("A key share is %(n)s bytes.") % {"n": SHARE_BYTES}, field="share")
    with transaction.atomic():
        # FOR UPDATE: one release at a time per tender, and never beside the opening itself.
        tender = tender_for_update(tender_id)
        named = tender.custodians.filter(custodian__user=actor).first() if actor.is_authenticated else None
        if named is None:
            raise Forbidden(_("You are not a key custodian of this tender."), code="not_custodian")
        if not deadline_passed(tender.pk):
            raise TooEarly(_("Key shares are released only after the submission deadline."))
        if tender.status not in (Tender.Status.PUBLISHED, Tender.Status.CLOSED):
            raise Conflict(_("This tender's bids are no longer waiting to be opened."), code="not_closed")
        if OpeningRecord.objects.filter(tender=tender).exists():
            raise Conflict(_("The bids of this tender have been opened already."), code="opened")
        existing = KeyShareRelease.objects.filter(tender_custodian=named).first()
        if existing is not None:
            if bytes(existing.share) == share:
                return existing
            raise Conflict(_("You have released your share of this tender's key already."), code="released")
        release = KeyShareRelease.objects.create(tender_custodian=named, tender=tender, share=share, released_by=actor)
        secret = shares_verify(tender)
        release.refresh_from_db(fields=["ok"])
        audit_record(
            actor=actor,
            action="tender.key_share_release",
            obj=tender,
            # The share itself is never logged; its hash lets the custodian recognise it.
            data={"custodian": named.custodian_id, "share_sha256": hashlib.sha256(share).hexdigest()},
        )
        if secret is not None and opening_time_reached(tender.pk):
            transaction.on_commit(lambda: _queue_opening(tender.pk))
        del secret
    return release


def _queue_opening(tender_id: int) -> None:
    from ..tasks import tender_advance

    try:
        tender_advance.delay(tender_id)
    except Exception:  # noqa: BLE001 - the sweep opens it within a minute when the broker is down
        return


def opening_quorum_wait(*, tender_id: int) -> bool:
    """The opening time has passed without k good shares. Returns True when it escalated now."""
    with transaction.atomic():
        tender = tender_for_update(tender_id)
        closing = TenderClosing.objects.filter(tender=tender).first()
        if tender.status != Tender.Status.CLOSED or closing is None or closing.escalated_at is not None:
            return False
        with connection.cursor() as cursor:
            cursor.execute("SELECT clock_timestamp()")
            now = cursor.fetchone()[0]
        due = tender.opening_at + settings.OPENING_QUORUM_GRACE
        if now < due:
            Tender.objects.filter(pk=tender.pk).update(next_check=due)
            return False
        released = KeyShareRelease.objects.filter(tender=tender).exclude(ok=False).count()
        closing.escalated_at = now
        closing.save(update_fields=["escalated_at"])
        # Nothing more for the sweep to do: each released share queues the opening itself.
        Tender.objects.filter(pk=tender.pk).update(next_check=None)
        auditors = get_user_model().objects.filter(role=Role.AUDITOR, is_active=True)
        notify(
            event="tender.opening_quorum_late",
            recipients=[*tender_entity_officials(tender), *auditors],
            template="opening_quorum_late",
            context={"tender": tender, "released": released},
            link=tender.get_absolute_url(),
        )
        audit_record(actor=None, action="tender.opening_quorum_late", obj=tender, data={"released": released})
    return True

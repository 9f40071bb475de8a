"""Receivers of the tenders and suppliers signals (sent inside their services' transactions)."""

from django.dispatch import receiver
from django.urls import reverse

from procurement.notifications import notify
from suppliers.events import sanction_recorded
from tenders.models import Tender
from tenders.selectors import SNAPSHOT_LABELS, tender_interested_users
from tenders.signals import tender_amended, tender_cancelled, tender_unsuccessful

from . import selectors


@receiver(tender_amended, dispatch_uid="bidding.on_amendment")
def on_amendment(sender, tender, version, changed_fields, actor, **kwargs):
    """Tell the companies with a bid about the amendment.

    The notice is the very one tenders sends to followers and subscribers (same event, same text),
    and goes only to bidders who did not get it already: nobody reading the outbox can tell a
    bidder from a follower, so it does not reveal who has bid before the deadline.
    """
    already = {user.pk for user in tender_interested_users(tender)}
    notify(
        event="tender.amended",
        recipients=selectors.members_of_bidders(tender).exclude(pk__in=already),
        template="tender_amended",
        context={
            "tender": tender,
            "version": version,
            "changed_labels": [str(SNAPSHOT_LABELS.get(f, f)) for f in changed_fields],
            "deadline_extended": "submission_deadline" in changed_fields,
        },
        link=reverse("tenders:versions", args=[tender.pk]),
    )


def _tell_bidders_too(*, tender: Tender, event: str, template: str, context: dict) -> None:
    """The notice tenders sent to followers and subscribers, also to bidders who did not get it."""
    already = {user.pk for user in tender_interested_users(tender)}
    notify(
        event=event,
        recipients=selectors.members_of_bidders(tender).exclude(pk__in=already),
        template=template,
        context={"tender": tender, **context},
        link=tender.get_absolute_url(),
    )


@receiver(tender_cancelled, dispatch_uid="bidding.on_cancellation")
def on_cancellation(sender, tender, actor, reason, **kwargs):
    """Bids on a cancelled tender stay sealed for good; their companies are told why."""
    _tell_bidders_too(tender=tender, event="tender.cancelled", template="tender_cancelled", context={"reason": reason})


@receiver(tender_unsuccessful, dispatch_uid="bidding.on_unsuccessful")
def on_unsuccessful(sender, tender, actor, reason, **kwargs):
    _tell_bidders_too(
        tender=tender, event="tender.unsuccessful", template="tender_unsuccessful", context={"reason": reason}
    )


@receiver(sanction_recorded, dispatch_uid="bidding.on_sanction")
def on_sanction(sender, sanction, actor, **kwargs):
    """A member debarred before a tender's deadline invalidates its consortium there (docs/architecture.md §10)."""
    from .services.consortium import consortia_invalidate_for_sanction

    consortia_invalidate_for_sanction(sanction=sanction, actor=actor)

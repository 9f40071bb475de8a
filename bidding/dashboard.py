"""Dashboard panels from bidding: a supplier's sealed bids still open, with their deadlines; an
official's tenders waiting to be opened."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement.dashboards import Item, Panel
from procurement.permissions import is_official, is_supplier_user
from suppliers.selectors import supplier_for_user
from tenders.models import Tender
from tenders.selectors import official_entity

from . import selectors
from .models import Bid, OpeningRecord

LIMIT = 8


def _label(tender: Tender) -> str:
    return f"{tender.reference} {tender.title}"


def supplier_panels(user) -> list[Panel]:
    supplier = supplier_for_user(user)
    if supplier is None:
        return []
    open_bids = (
        selectors.bids_of_supplier(supplier=supplier)
        .filter(
            status=Bid.Status.SUBMITTED,
            tender__status=Tender.Status.PUBLISHED,
            tender__submission_deadline__gt=timezone.now(),
        )
        .order_by("tender__submission_deadline")
    )
    return [
        Panel(
            key="open_bids",
            order=20,
            title=gettext_lazy("Your sealed bids, still open"),
            items=[
                Item(
                    _label(bid.tender),
                    bid.get_absolute_url(),
                    detail=bid.tender.entity.name,
                    action=_("Replace or withdraw before the deadline"),
                    deadline=bid.tender.submission_deadline,
                )
                for bid in open_bids[:LIMIT]
            ],
            empty=gettext_lazy("No bid of your company is open right now."),
            more_url=reverse("bidding:my_bids"),
            more_label=gettext_lazy("Every bid of your company"),
        )
    ]


def openings_waiting(entity) -> list[Tender]:
    """The entity's tenders past their deadline whose bids are not opened yet, soonest first."""
    now = timezone.now()
    return list(
        Tender.objects.filter(entity=entity, status__in=(Tender.Status.PUBLISHED, Tender.Status.CLOSED))
        .filter(submission_deadline__lte=now)
        .exclude(pk__in=OpeningRecord.objects.values("tender_id"))
        .order_by("opening_at")[:LIMIT]
    )


def official_panels(user) -> list[Panel]:
    entity = official_entity(user)
    if entity is None:
        return []
    items = []
    for tender in openings_waiting(entity):
        if selectors.open_now_offered(user=user, tender=tender):
            items.append(Item(_label(tender), reverse("bidding:opening", args=[tender.pk]), action=_("Open now")))
        else:
            items.append(
                Item(
                    _label(tender),
                    reverse("bidding:opening", args=[tender.pk]),
                    action=_("Opens at the opening time"),
                    deadline=tender.opening_at,
                )
            )
    return [
        Panel(
            key="openings",
            order=14,
            title=gettext_lazy("Openings waiting"),
            items=items,
            empty=gettext_lazy("No tender is waiting to be opened."),
        )
    ]


def panels(user) -> list[Panel]:
    if is_official(user):
        return official_panels(user)
    if is_supplier_user(user):
        return supplier_panels(user)
    return []

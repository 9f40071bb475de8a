"""Dashboard panels from bidding: a supplier's sealed bids still open, with their deadlines; an
official's tenders waiting to be opened."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement.dashboards import LIMIT, Item, Panel, panel, panels_by_role
from suppliers.selectors import supplier_for_user
from tenders.models import Tender
from tenders.selectors import official_entity, tender_label

from . import selectors
from .models import Bid, OpeningRecord


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
        panel(
            "open_bids",
            order=20,
            title=gettext_lazy("Your sealed bids, still open"),
            rows=open_bids,
            item=lambda bid: Item(
                tender_label(bid.tender),
                bid.get_absolute_url(),
                detail=bid.tender.entity.name,
                action=_("Replace or withdraw before the deadline"),
                deadline=bid.tender.submission_deadline,
            ),
            empty=gettext_lazy("No bid of your company is open right now."),
            more=(reverse("bidding:my_bids"), gettext_lazy("Every bid of your company")),
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

    def opening(tender: Tender) -> Item:
        url = reverse("bidding:opening", args=[tender.pk])
        if selectors.open_now_offered(user=user, tender=tender):
            return Item(tender_label(tender), url, action=_("Open now"))
        return Item(tender_label(tender), url, action=_("Opens at the opening time"), deadline=tender.opening_at)

    return [
        panel(
            "openings",
            order=14,
            title=gettext_lazy("Openings waiting"),
            rows=openings_waiting(entity),
            item=opening,
            empty=gettext_lazy("No tender is waiting to be opened."),
        )
    ]


def panels(user) -> list[Panel]:
    return panels_by_role(user, official=official_panels, supplier=supplier_panels)

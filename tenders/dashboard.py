"""Dashboard panels from tenders: an official's drafts, approvals, deadlines today and questions;
a supplier's new tenders matching its alerts and its questions answered."""

from datetime import timedelta

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement.dashboards import LIMIT, Item, Panel, panel, panels_by_role
from suppliers.selectors import supplier_for_user

from . import selectors
from .models import Clarification, Subscription, Tender

NEW_TENDER_DAYS = 14


def official_panels(user) -> list[Panel]:
    entity = selectors.official_entity(user)
    if entity is None:
        return []
    own = Tender.objects.filter(entity=entity).select_related("entity", "created_by")
    official = user.official
    workspace = reverse("tenders:workspace")

    drafts = own.filter(status=Tender.Status.DRAFT).order_by("-updated_at")
    approvals = own.filter(status=Tender.Status.PENDING_APPROVAL)
    approvals = approvals.exclude(created_by=user) if official.can_approve else approvals.none()
    today = timezone.localdate()
    closing_today = own.filter(status=Tender.Status.PUBLISHED, submission_deadline__date=today).order_by(
        "submission_deadline"
    )
    questions = (
        own.filter(status=Tender.Status.PUBLISHED)
        .annotate(open_questions=Count("clarifications", filter=Q(clarifications__answered_at__isnull=True)))
        .filter(open_questions__gt=0)
        .order_by("submission_deadline")
    )
    return [
        panel(
            "drafts",
            order=10,
            title=gettext_lazy("Drafts"),
            rows=drafts,
            item=lambda t: Item(
                selectors.tender_label(t), t.get_absolute_url(), action=selectors.workspace_next_action(t, user=user)
            ),
            empty=gettext_lazy("No drafts."),
            more=(reverse("tenders:create"), gettext_lazy("Draft a new tender")),
        ),
        panel(
            "approvals",
            order=11,
            title=gettext_lazy("Approvals waiting for you"),
            rows=approvals,
            item=lambda t: Item(
                selectors.tender_label(t),
                t.get_absolute_url(),
                detail=str(t.created_by),
                action=_("Approve or return it"),
            ),
            empty=gettext_lazy("Nothing waits for your approval."),
        ),
        panel(
            "closing_today",
            order=12,
            title=gettext_lazy("Bids due today"),
            rows=closing_today,
            item=lambda t: Item(selectors.tender_label(t), t.get_absolute_url(), deadline=t.submission_deadline),
            empty=gettext_lazy("No tender of your entity closes today."),
            more=(workspace, gettext_lazy("Every notice of your entity")),
        ),
        panel(
            "questions",
            order=13,
            title=gettext_lazy("Questions to answer"),
            rows=questions,
            item=lambda t: Item(
                selectors.tender_label(t),
                f"{t.get_absolute_url()}#questions",
                action=_("Answer %(count)s open question(s)") % {"count": t.open_questions},
                deadline=t.clarification_deadline,
            ),
            empty=gettext_lazy("No open questions."),
        ),
    ]


def tenders_matching_alerts(*, supplier, since) -> list[Tender]:
    """Published tenders open for bids, published since `since`, that match the company's alerts."""
    subscription = Subscription.objects.filter(supplier=supplier, is_active=True).first()
    if subscription is None:
        return []
    match = Q(entity__in=subscription.entities.all())
    for code in subscription.classifications.values_list("code", flat=True):
        match |= selectors.classification_match_q(code)
    return list(
        selectors.tenders_public()
        .filter(status=Tender.Status.PUBLISHED, submission_deadline__gt=timezone.now(), published_at__gte=since)
        .filter(match)
        .select_related("entity")
        .distinct()
        .order_by("submission_deadline")[:LIMIT]
    )


def supplier_panels(user) -> list[Panel]:
    supplier = supplier_for_user(user)
    if supplier is None:
        return []
    matching = tenders_matching_alerts(supplier=supplier, since=timezone.now() - timedelta(days=NEW_TENDER_DAYS))
    answered = (
        Clarification.objects.filter(supplier=supplier, answered_at__isnull=False)
        .select_related("tender")
        .order_by("-answered_at")[:LIMIT]
    )
    return [
        panel(
            "matching_tenders",
            order=30,
            title=gettext_lazy("New tenders matching your alerts"),
            rows=matching,
            item=lambda t: Item(
                selectors.tender_label(t), t.get_absolute_url(), detail=t.entity.name, deadline=t.submission_deadline
            ),
            empty=gettext_lazy("No new tenders match your alerts in the last two weeks."),
            more=(reverse("tenders:alerts"), gettext_lazy("Change what you are alerted to")),
        ),
        panel(
            "answers",
            order=32,
            title=gettext_lazy("Your questions answered"),
            rows=answered,
            item=lambda c: Item(
                selectors.tender_label(c.tender),
                f"{c.tender.get_absolute_url()}#q{c.pk}",
                detail=c.question[:80],
                action=_("Read the answer"),
            ),
            empty=gettext_lazy("No answers yet."),
        ),
    ]


def panels(user) -> list[Panel]:
    return panels_by_role(user, official=official_panels, supplier=supplier_panels)

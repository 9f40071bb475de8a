"""Dashboard panels from contracts: evaluations, standstills ending, awards and contracts to sign,
an evaluator's committees, an auditor's recent openings."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement.dashboards import Item, Panel
from procurement.permissions import is_auditor, is_evaluator, is_official, is_supplier_user
from suppliers.selectors import membership_for_user
from tenders.models import Tender
from tenders.selectors import official_entity

from . import selectors
from .models import Award, CommitteeMember, Contract, Evaluation
from .services.contracts import has_signed, pending_version, signing_party

LIMIT = 8


def _label(tender: Tender) -> str:
    return f"{tender.reference} {tender.title}"


def _contracts_to_sign(user, contracts) -> list[Item]:
    """Contracts with a version waiting for this user's party's signature."""
    items = []
    for contract in contracts.filter(status__in=(Contract.Status.DRAFT, Contract.Status.ACTIVE)).order_by("-pk"):
        version = pending_version(contract)
        party = signing_party(contract, user)
        if version is None or party is None:
            continue
        if has_signed(version, contract, user):
            continue
        items.append(
            Item(
                _label(contract.tender),
                contract.get_absolute_url(),
                detail=contract.supplier.name,
                action=_("Sign version %(number)s") % {"number": version.number},
            )
        )
        if len(items) >= LIMIT:
            break
    return items


def official_panels(user) -> list[Panel]:
    entity = official_entity(user)
    if entity is None:
        return []
    evaluations = []
    for tender in (
        Tender.objects.filter(entity=entity, status=Tender.Status.OPENED)
        .select_related("entity")
        .order_by("status_changed_at")[:LIMIT]
    ):
        evaluation = selectors.evaluation_of(tender)
        if evaluation is None:
            action = _("Start the evaluation")
        elif evaluation.status == Evaluation.Status.IN_PROGRESS:
            action = _("Review the bids down the ranking")
        else:
            action = _("Propose the award")
        evaluations.append(Item(_label(tender), reverse("contracts:evaluation", args=[tender.pk]), action=action))
    for tender in Tender.objects.filter(entity=entity, status=Tender.Status.EVALUATED).order_by("status_changed_at"):
        if selectors.award_current(tender) is None or selectors.award_current(tender).status == Award.Status.CANCELLED:
            evaluations.append(
                Item(_label(tender), reverse("contracts:evaluation", args=[tender.pk]), action=_("Propose the award"))
            )
    standstills = Award.objects.filter(tender__entity=entity, status=Award.Status.STANDSTILL).select_related(
        "tender", "supplier"
    )
    approvals = Award.objects.filter(tender__entity=entity, status=Award.Status.PROPOSED).select_related(
        "tender", "supplier"
    )
    return [
        Panel(
            key="evaluations",
            order=15,
            title=gettext_lazy("Evaluations"),
            items=evaluations[:LIMIT]
            + [
                Item(_label(a.tender), a.get_absolute_url(), detail=a.supplier.name, action=_("Approve the award"))
                for a in approvals[:LIMIT]
            ],
            empty=gettext_lazy("No evaluation waits for you."),
            more_url=reverse("contracts:evaluations"),
            more_label=gettext_lazy("Every evaluation"),
        ),
        Panel(
            key="standstills",
            order=16,
            title=gettext_lazy("Standstill periods ending"),
            items=[
                Item(
                    _label(a.tender),
                    a.get_absolute_url(),
                    detail=a.supplier.name,
                    action=_("Becomes final unless a complaint is open"),
                    deadline=a.standstill_until,
                )
                for a in standstills.order_by("standstill_until")[:LIMIT]
            ],
            empty=gettext_lazy("No award is in its standstill period."),
        ),
        Panel(
            key="contracts_to_sign",
            order=17,
            title=gettext_lazy("Contracts to sign"),
            items=_contracts_to_sign(user, Contract.objects.filter(entity=entity).select_related("tender", "supplier")),
            empty=gettext_lazy("No contract waits for your signature."),
            more_url=reverse("contracts:contracts"),
            more_label=gettext_lazy("Every contract"),
        ),
    ]


def supplier_panels(user) -> list[Panel]:
    membership = membership_for_user(user)
    if membership is None:
        return []
    supplier = membership.supplier
    awards = (
        Award.objects.filter(supplier=supplier, status__in=Award.PUBLIC_STATUSES)
        .select_related("tender")
        .order_by("-proposed_at")[:LIMIT]
    )
    return [
        Panel(
            key="awards",
            order=33,
            title=gettext_lazy("Awards to your company"),
            items=[
                Item(
                    _label(a.tender),
                    a.get_absolute_url(),
                    detail=a.get_status_display(),
                    deadline=a.standstill_until if a.status == Award.Status.STANDSTILL else None,
                )
                for a in awards
            ],
            empty=gettext_lazy("No awards yet."),
        ),
        Panel(
            key="contracts_to_sign",
            order=21,
            title=gettext_lazy("Contracts to sign"),
            items=_contracts_to_sign(
                user, Contract.objects.filter(supplier=supplier).select_related("tender", "supplier")
            ),
            empty=gettext_lazy("No contract waits for your signature."),
            more_url=reverse("contracts:contracts"),
            more_label=gettext_lazy("Every contract"),
        ),
    ]


def evaluator_panels(user) -> list[Panel]:
    items = []
    seats = (
        CommitteeMember.objects.filter(user=user)
        .exclude(tender__status__in=Tender.PRIVATE_STATUSES)
        .select_related("tender", "tender__entity", "conflict_declaration")
        .order_by("-appointed_at")
    )
    for member in seats[:LIMIT]:
        tender = member.tender
        if member.declaration is None:
            action, url = _("Declare conflicts of interest"), reverse("contracts:declare", args=[tender.pk])
        elif member.is_recused:
            action, url = _("Withdrawn (conflict of interest)"), reverse("contracts:evaluations")
        elif member.scores_submitted_at is None:
            action, url = _("Score the bids"), reverse("contracts:score", args=[tender.pk])
        else:
            action, url = _("Scores submitted"), reverse("contracts:evaluation", args=[tender.pk])
        items.append(Item(_label(tender), url, detail=tender.entity.name, action=action))
    return [
        Panel(
            key="committees",
            order=40,
            title=gettext_lazy("Your evaluation committees"),
            items=items,
            empty=gettext_lazy("You are not on any evaluation committee at the moment."),
            more_url=reverse("contracts:evaluations"),
            more_label=gettext_lazy("Every evaluation"),
        )
    ]


def auditor_panels(user) -> list[Panel]:
    recent = selectors.with_opening_flag(
        Tender.objects.filter(status__in=selectors.EVALUATION_STATUSES).select_related("entity")
    ).order_by("-status_changed_at")[:LIMIT]
    return [
        Panel(
            key="recent_openings",
            order=50,
            title=gettext_lazy("Recently opened or decided tenders"),
            items=[
                Item(
                    _label(t),
                    reverse("contracts:award_report", args=[t.pk]) if t.has_opening else t.get_absolute_url(),
                    detail=f"{t.entity.name} · {t.get_status_display()}",
                    action=_("Award report") if t.has_opening else "",
                )
                for t in recent
            ],
            empty=gettext_lazy("No tender has been opened yet."),
            more_url=reverse("contracts:reports"),
            more_label=gettext_lazy("Every award report and CSV export"),
        )
    ]


def panels(user) -> list[Panel]:
    if is_official(user):
        return official_panels(user)
    if is_supplier_user(user):
        return supplier_panels(user)
    if is_evaluator(user):
        return evaluator_panels(user)
    if is_auditor(user):
        return auditor_panels(user)
    return []

"""Dashboard panels from contracts: evaluations, standstills ending, awards and contracts to sign,
an evaluator's committees, an auditor's recent openings."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement.dashboards import LIMIT, Item, Panel, panel, panels_by_role
from suppliers.selectors import membership_for_user
from tenders.models import Tender
from tenders.selectors import official_entity, tender_label

from . import selectors
from .models import Award, CommitteeMember, Contract, Evaluation
from .services.contracts import has_signed, pending_version, signing_party


def _contracts_to_sign(user, contracts, *, order: int) -> Panel:
    """Contracts with a version waiting for this user's party's signature."""

    def to_sign(contract: Contract) -> Item | None:
        version = pending_version(contract)
        party = signing_party(contract, user)
        if version is None or party is None or has_signed(version, contract, user):
            return None
        return Item(
            tender_label(contract.tender),
            contract.get_absolute_url(),
            detail=contract.supplier.name,
            action=_("Sign version %(number)s") % {"number": version.number},
        )

    return panel(
        "contracts_to_sign",
        order=order,
        title=gettext_lazy("Contracts to sign"),
        rows=contracts.filter(status__in=(Contract.Status.DRAFT, Contract.Status.ACTIVE)).order_by("-pk"),
        item=to_sign,
        empty=gettext_lazy("No contract waits for your signature."),
        more=(reverse("contracts:contracts"), gettext_lazy("Every contract")),
    )


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
        evaluations.append(Item(tender_label(tender), reverse("contracts:evaluation", args=[tender.pk]), action=action))
    for tender in Tender.objects.filter(entity=entity, status=Tender.Status.EVALUATED).order_by("status_changed_at"):
        if selectors.award_current(tender) is None or selectors.award_current(tender).status == Award.Status.CANCELLED:
            evaluations.append(
                Item(
                    tender_label(tender),
                    reverse("contracts:evaluation", args=[tender.pk]),
                    action=_("Propose the award"),
                )
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
                Item(
                    tender_label(a.tender), a.get_absolute_url(), detail=a.supplier.name, action=_("Approve the award")
                )
                for a in approvals[:LIMIT]
            ],
            empty=gettext_lazy("No evaluation waits for you."),
            more_url=reverse("contracts:evaluations"),
            more_label=gettext_lazy("Every evaluation"),
        ),
        panel(
            "standstills",
            order=16,
            title=gettext_lazy("Standstill periods ending"),
            rows=standstills.order_by("standstill_until"),
            item=lambda a: Item(
                tender_label(a.tender),
                a.get_absolute_url(),
                detail=a.supplier.name,
                action=_("Becomes final unless a complaint is open"),
                deadline=a.standstill_until,
            ),
            empty=gettext_lazy("No award is in its standstill period."),
        ),
        _contracts_to_sign(user, Contract.objects.filter(entity=entity).select_related("tender", "supplier"), order=17),
    ]


def supplier_panels(user) -> list[Panel]:
    membership = membership_for_user(user)
    if membership is None:
        return []
    supplier = membership.supplier
    awards = (
        Award.objects.filter(supplier=supplier, status__in=Award.PUBLIC_STATUSES)
        .select_related("tender")
        .order_by("-proposed_at")
    )
    return [
        panel(
            "awards",
            order=33,
            title=gettext_lazy("Awards to your company"),
            rows=awards,
            item=lambda a: Item(
                tender_label(a.tender),
                a.get_absolute_url(),
                detail=a.get_status_display(),
                deadline=a.standstill_until if a.status == Award.Status.STANDSTILL else None,
            ),
            empty=gettext_lazy("No awards yet."),
        ),
        _contracts_to_sign(
            user, Contract.objects.filter(supplier=supplier).select_related("tender", "supplier"), order=21
        ),
    ]


def _seat(member: CommitteeMember) -> Item:
    tender = member.tender
    if member.declaration is None:
        action, url = _("Declare conflicts of interest"), reverse("contracts:declare", args=[tender.pk])
    elif member.is_recused:
        action, url = _("Withdrawn (conflict of interest)"), reverse("contracts:evaluations")
    elif member.scores_submitted_at is None:
        action, url = _("Score the bids"), reverse("contracts:score", args=[tender.pk])
    else:
        action, url = _("Scores submitted"), reverse("contracts:evaluation", args=[tender.pk])
    return Item(tender_label(tender), url, detail=tender.entity.name, action=action)


def evaluator_panels(user) -> list[Panel]:
    seats = (
        CommitteeMember.objects.filter(user=user)
        .exclude(tender__status__in=Tender.PRIVATE_STATUSES)
        .select_related("tender", "tender__entity", "conflict_declaration")
        .order_by("-appointed_at")
    )
    return [
        panel(
            "committees",
            order=40,
            title=gettext_lazy("Your evaluation committees"),
            rows=seats,
            item=_seat,
            empty=gettext_lazy("You are not on any evaluation committee at the moment."),
            more=(reverse("contracts:evaluations"), gettext_lazy("Every evaluation")),
        )
    ]


def auditor_panels(user) -> list[Panel]:
    recent = selectors.with_opening_flag(
        Tender.objects.filter(status__in=selectors.EVALUATION_STATUSES).select_related("entity")
    ).order_by("-status_changed_at")
    return [
        panel(
            "recent_openings",
            order=50,
            title=gettext_lazy("Recently opened or decided tenders"),
            rows=recent,
            item=lambda t: Item(
                tender_label(t),
                reverse("contracts:award_report", args=[t.pk]) if t.has_opening else t.get_absolute_url(),
                detail=f"{t.entity.name} · {t.get_status_display()}",
                action=_("Award report") if t.has_opening else "",
            ),
            empty=gettext_lazy("No tender has been opened yet."),
            more=(reverse("contracts:reports"), gettext_lazy("Every award report and CSV export")),
        )
    ]


def panels(user) -> list[Panel]:
    return panels_by_role(
        user,
        official=official_panels,
        supplier=supplier_panels,
        evaluator=evaluator_panels,
        auditor=auditor_panels,
    )

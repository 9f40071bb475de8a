"""Joint bidding (공동수급): forming a consortium, members' confirmations, submission and debarment.

The consortium is decided before the lead seals the bid and stays outside the sealed content; the
lead's Bid points to it. Rules (docs/architecture.md §10): shares sum to 100 % with each at least
settings.CONSORTIUM_MIN_SHARE_PCT; every member is approved, not debarred and (for invitation-only
tenders) invited; a company is in one live consortium per tender and then cannot bid alone; every
member confirms before the deadline by the database clock; only the lead submits.

Each service locks the tender FOR KEY SHARE (as a submission does: opening waits for it, and the
deadline is read by the database clock), then the consortium row FOR UPDATE.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.audit import audit_record
from procurement.errors import Conflict, Forbidden, Invalid
from procurement.notifications import notify
from procurement.states import check_transition
from suppliers.models import Sanction, Supplier
from suppliers.selectors import membership_for_user, sanctions_running_q
from tenders.models import Tender

from ..consortia import member_problems, shares_problem
from ..models import Bid, Consortium, ConsortiumMember
from .submission import _lock_tender_shared, _require_open


@dataclass(frozen=True)
class MemberTerms:
    supplier: Supplier
    share: Decimal
    scope: str = ""


def _link(consortium: Consortium) -> str:
    return reverse("bidding:consortium", args=[consortium.pk])


def company_users(supplier_ids) -> "object":
    """Active people of these companies who may act for them on bids (administrators and bidders)."""
    from suppliers.models import SupplierMember

    return get_user_model().objects.filter(
        is_active=True,
        supplier_membership__supplier_id__in=list(supplier_ids),
        supplier_membership__role__in=[SupplierMember.Role.ADMINISTRATOR, SupplierMember.Role.BIDDER],
    )


def _acting_company(actor) -> Supplier:
    membership = membership_for_user(actor)
    if membership is None or not membership.may_bid:
        raise Forbidden(_("Only a company's administrators and bidders can act for it in a consortium."))
    return membership.supplier


def _share(value) -> Decimal:
    try:
        share = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise Invalid(_("A share is a percentage, such as 40 or 33.34."), field="members") from None
    return share


def _terms_checked(*, lead: Supplier, performance: str, lead_share, lead_scope: str, partners) -> list[MemberTerms]:
    """The members' terms, the lead first, normalised and checked against the share rules."""
    if performance not in Consortium.Performance.values:
        raise Invalid(_("Choose joint or split performance."), field="performance")
    terms = [MemberTerms(lead, _share(lead_share), lead_scope or ""), *partners]
    terms = [MemberTerms(t.supplier, _share(t.share), (t.scope or "").strip()[:300]) for t in terms]
    if len({t.supplier.pk for t in terms}) != len(terms):
        raise Invalid(_("A company can appear only once in a consortium."), field="members")
    problem = shares_problem([t.share for t in terms])
    if problem:
        raise Invalid(problem, field="members")
    if performance == Consortium.Performance.SPLIT and any(not t.scope for t in terms):
        raise Invalid(_("With split performance, name the part each company performs."), field="members")
    return terms


def consortium_create(
    *, tender: Tender, actor, name: str, performance: str, lead_share, lead_scope: str = "", partners: list[MemberTerms]
) -> Consortium:
    """The lead (the actor's company) forms a consortium and invites its partners to confirm."""
    lead = _acting_company(actor)
    if not tender.consortium_allowed:
        raise Conflict(_("This tender does not allow joint bidding."), code="consortium_not_allowed")
    name = " ".join((name or "").split())[:200]
    if not name:
        raise Invalid(_("Give the consortium a name."), field="name")
    terms = _terms_checked(
        lead=lead, performance=performance, lead_share=lead_share, lead_scope=lead_scope, partners=partners
    )
    with transaction.atomic():
        status, in_time, _moment = _lock_tender_shared(tender.pk)
        _require_open(status, in_time)
        for t in terms:
            reasons = member_problems(tender=tender, supplier=t.supplier)
            if reasons:
                raise Invalid(f"{t.supplier.name}: {reasons[0]}", field="members", code="member_ineligible")
        supplier_ids = [t.supplier.pk for t in terms]
        if Bid.objects.filter(tender=tender, supplier_id__in=supplier_ids, status=Bid.Status.SUBMITTED).exists():
            raise Conflict(
                _("A company in this consortium has already submitted its own bid on this tender."),
                code="already_bid",
            )
        consortium = Consortium.objects.create(
            tender=tender, lead=lead, name=name, performance=performance, created_by=actor
        )
        now = timezone.now()
        try:
            with transaction.atomic():
                ConsortiumMember.objects.bulk_create(
                    ConsortiumMember(
                        consortium=consortium,
                        tender=tender,
                        supplier=t.supplier,
                        is_lead=t.supplier.pk == lead.pk,
                        share=t.share,
                        scope=t.scope,
                        # The lead's authorised user confirms its own terms by forming the consortium.
                        status=ConsortiumMember.Status.CONFIRMED
                        if t.supplier.pk == lead.pk
                        else ConsortiumMember.Status.INVITED,
                        responded_by=actor if t.supplier.pk == lead.pk else None,
                        responded_at=now if t.supplier.pk == lead.pk else None,
                    )
                    for t in terms
                )
        except IntegrityError:
            raise Conflict(
                _("A company in this consortium is already in another consortium on this tender."),
                code="already_member",
            ) from None
        # No tender in the entry, as for bids: before the deadline nobody may learn who intends to bid.
        audit_record(
            actor=actor,
            action="consortium.create",
            obj=consortium,
            data={"performance": performance, "members": [[t.supplier.pk, str(t.share)] for t in terms]},
        )
        notify(
            event="consortium.invited",
            recipients=company_users(t.supplier.pk for t in partners),
            template="consortium_invited",
            context={"consortium": consortium, "tender": tender, "lead": lead},
            link=_link(consortium),
        )
    return consortium


def consortium_change(
    *,
    consortium: Consortium,
    actor,
    name: str | None = None,
    performance: str,
    lead_share,
    lead_scope: str = "",
    partners: list[MemberTerms],
) -> Consortium:
    """The lead changes the terms before the deadline: the form of performance, shares, members.

    Every partner confirms again (the agreement changed for all of them): kept partners go back to
    invited, new ones are invited, removed ones leave (and are told); a confirmed consortium is forming
    again until then. Refused once the consortium has submitted its bid (withdraw it first), as
    dissolving is.
    """
    lead = _acting_company(actor)
    if lead.pk != consortium.lead_id:
        raise Forbidden(_("Only the lead company can change the consortium."))
    name = " ".join((name if name is not None else consortium.name).split())[:200]
    if not name:
        raise Invalid(_("Give the consortium a name."), field="name")
    terms = _terms_checked(
        lead=lead, performance=performance, lead_share=lead_share, lead_scope=lead_scope, partners=partners
    )
    with transaction.atomic():
        status, in_time, moment = _lock_tender_shared(consortium.tender_id)
        _require_open(status, in_time)
        consortium = _consortium_for_update(consortium.pk)
        if not consortium.is_active:
            raise Conflict(_("This consortium has ended and can no longer be changed."), code="consortium_ended")
        if Bid.objects.filter(consortium=consortium, status=Bid.Status.SUBMITTED).exists():
            raise Conflict(
                _("The consortium has submitted its bid: withdraw it before changing the consortium."),
                code="has_bid",
            )
        tender = consortium.tender
        current = {m.supplier_id: m for m in consortium.members.select_for_update().select_related("supplier")}
        before = {
            "name": consortium.name,
            "performance": consortium.performance,
            "members": [[m.supplier_id, str(m.share), m.status] for m in current.values()],
        }
        wanted = {t.supplier.pk: t for t in terms}
        added = [
            t
            for t in terms
            if t.supplier.pk not in current or current[t.supplier.pk].status not in (ConsortiumMember.BINDING_STATUSES)
        ]
        for t in terms:
            reasons = member_problems(tender=tender, supplier=t.supplier)
            if reasons:
                raise Invalid(f"{t.supplier.name}: {reasons[0]}", field="members", code="member_ineligible")
        if Bid.objects.filter(
            tender=tender, supplier_id__in=[t.supplier.pk for t in added], status=Bid.Status.SUBMITTED
        ).exists():
            raise Conflict(
                _("A company in this consortium has already submitted its own bid on this tender."),
                code="already_bid",
            )
        # A removed company leaves no row behind: the opening, the award, the contract's signatories and
        # OCDS read a consortium's members as its rows. Its terms stay in the audit entry below.
        removed = [m for pk, m in current.items() if pk not in wanted]
        ConsortiumMember.objects.filter(pk__in=[m.pk for m in removed]).delete()
        try:
            with transaction.atomic():
                for t in terms:
                    is_lead = t.supplier.pk == lead.pk
                    member = current.get(t.supplier.pk) or ConsortiumMember(
                        consortium=consortium, tender=tender, supplier=t.supplier
                    )
                    member.is_lead = is_lead
                    member.share = t.share
                    member.scope = t.scope
                    # The lead confirms the new terms by making them; every partner confirms again.
                    member.status = ConsortiumMember.Status.CONFIRMED if is_lead else ConsortiumMember.Status.INVITED
                    member.responded_by = actor if is_lead else None
                    member.responded_at = moment if is_lead else None
                    member.save()
        except IntegrityError:
            raise Conflict(
                _("A company in this consortium is already in another consortium on this tender."),
                code="already_member",
            ) from None
        if consortium.status == Consortium.Status.CONFIRMED:
            check_transition(consortium, Consortium.Status.FORMING, Consortium.TRANSITIONS)
        consortium.status = Consortium.Status.FORMING
        consortium.confirmed_at = None
        consortium.name = name
        consortium.performance = performance
        consortium.save(update_fields=["status", "confirmed_at", "name", "performance"])
        after = {
            "name": name,
            "performance": performance,
            "members": [[t.supplier.pk, str(t.share)] for t in terms],
        }
        # As at forming, the entry names no tender: before the deadline nobody may learn who bids.
        audit_record(
            actor=actor,
            action="consortium.change",
            obj=consortium,
            data={"changes": {"before": before, "after": after}, "removed": [m.supplier_id for m in removed]},
        )
        partner_ids = [t.supplier.pk for t in terms if t.supplier.pk != lead.pk]
        notify(
            event="consortium.changed",
            recipients=company_users(partner_ids),
            template="consortium_changed",
            context={
                "consortium": consortium,
                "tender": tender,
                "lead": lead,
                "members": consortium.members.filter(status__in=ConsortiumMember.BINDING_STATUSES)
                .select_related("supplier")
                .order_by("-is_lead", "id"),
            },
            link=_link(consortium),
        )
        bound = [m.supplier_id for m in removed if m.status in ConsortiumMember.BINDING_STATUSES]
        if bound:
            notify(
                event="consortium.removed",
                recipients=company_users(bound),
                template="consortium_ended",
                context={
                    "consortium": consortium,
                    "reason": _("The lead removed your company from the consortium; it is free to bid otherwise."),
                },
                link=reverse("tenders:detail", args=[tender.pk]),
            )
    return consortium


def _consortium_for_update(consortium_id: int) -> Consortium:
    # Serialises confirmations, dissolution and invalidation of one consortium.
    return Consortium.objects.select_for_update().select_related("tender", "lead").get(pk=consortium_id)


def consortium_respond(*, member: ConsortiumMember, actor, accept: bool) -> ConsortiumMember:
    """A partner's authorised user confirms (or declines) its membership and share, before the deadline."""
    company = _acting_company(actor)
    if company.pk != member.supplier_id:
        raise Forbidden(_("Only the invited company can answer this invitation."))
    with transaction.atomic():
        status, in_time, moment = _lock_tender_shared(member.tender_id)
        _require_open(status, in_time)
        consortium = _consortium_for_update(member.consortium_id)
        member = ConsortiumMember.objects.select_for_update().get(pk=member.pk)
        if consortium.status != Consortium.Status.FORMING or member.status != ConsortiumMember.Status.INVITED:
            raise Conflict(_("This invitation has already been answered or the consortium has ended."))
        if accept:
            reasons = member_problems(tender=consortium.tender, supplier=member.supplier)
            if reasons:
                raise Conflict(reasons[0], code="member_ineligible")
        member.status = ConsortiumMember.Status.CONFIRMED if accept else ConsortiumMember.Status.DECLINED
        member.responded_by = actor
        member.responded_at = moment
        member.save(update_fields=["status", "responded_by", "responded_at"])
        audit_record(
            actor=actor,
            action="consortium.confirm" if accept else "consortium.decline",
            obj=consortium,
            data={"member": member.supplier_id, "share": str(member.share)},
        )
        complete = accept and not consortium.members.exclude(status=ConsortiumMember.Status.CONFIRMED).exists()
        if complete:
            check_transition(consortium, Consortium.Status.CONFIRMED, Consortium.TRANSITIONS)
            consortium.status = Consortium.Status.CONFIRMED
            consortium.confirmed_at = moment
            consortium.save(update_fields=["status", "confirmed_at"])
            audit_record(actor=actor, action="consortium.confirmed", obj=consortium, data={})
        notify(
            event="consortium.answered",
            recipients=company_users([consortium.lead_id]),
            template="consortium_answered",
            context={"consortium": consortium, "member": member, "accepted": accept, "complete": complete},
            link=_link(consortium),
        )
    return member


def consortium_dissolve(*, consortium: Consortium, actor) -> Consortium:
    """The lead ends a consortium before it has bid; its members are free again."""
    if _acting_company(actor).pk != consortium.lead_id:
        raise Forbidden(_("Only the lead company can dissolve the consortium."))
    with transaction.atomic():
        status, in_time, _moment = _lock_tender_shared(consortium.tender_id)
        _require_open(status, in_time)
        consortium = _consortium_for_update(consortium.pk)
        if Bid.objects.filter(consortium=consortium, status=Bid.Status.SUBMITTED).exists():
            raise Conflict(_("The consortium has submitted its bid; it can no longer be dissolved."), code="has_bid")
        _end(consortium, to=Consortium.Status.DISSOLVED, reason="", actor=actor, action="consortium.dissolve")
        notify(
            event="consortium.dissolved",
            recipients=company_users(consortium.members.exclude(is_lead=True).values_list("supplier_id", flat=True)),
            template="consortium_ended",
            context={"consortium": consortium, "reason": ""},
            link=_link(consortium),
        )
    return consortium


def _end(consortium: Consortium, *, to: str, reason: str, actor, action: str) -> None:
    check_transition(consortium, to, Consortium.TRANSITIONS)
    consortium.status = to
    consortium.status_reason = reason
    consortium.save(update_fields=["status", "status_reason"])
    consortium.members.filter(status__in=ConsortiumMember.BINDING_STATUSES).update(
        status=ConsortiumMember.Status.RELEASED
    )
    audit_record(actor=actor, action=action, obj=consortium, data={"reason": reason})


def consortia_invalidate_for_sanction(*, sanction, actor) -> list[Consortium]:
    """A member debarred before a tender's deadline invalidates its consortium there, and the lead is told.

    Called from the sanction's transaction (bidding.receivers): consortia on tenders still open for
    bids whose deadline falls within the sanction.
    """
    ended = []
    candidates = (
        Consortium.objects.filter(
            status__in=Consortium.ACTIVE_STATUSES,
            tender__status=Tender.Status.PUBLISHED,
            members__supplier_id=sanction.supplier_id,
            members__status__in=ConsortiumMember.BINDING_STATUSES,
        )
        .select_related("tender", "lead")
        .distinct()
    )
    for consortium in candidates:
        deadline = consortium.tender.submission_deadline
        if not Sanction.objects.filter(sanctions_running_q(deadline), pk=sanction.pk).exists():
            continue
        consortium = _consortium_for_update(consortium.pk)
        if not consortium.is_active:
            continue
        reason = _(
            "%(member)s was debarred from %(start)s to %(end)s (%(ground)s), before the submission deadline: "
            "the consortium can no longer bid on this tender, and a bid it submitted will be rejected at opening."
        ) % {
            "member": sanction.supplier.name,
            "start": sanction.starts_on.isoformat(),
            "end": sanction.ends_on.isoformat(),
            "ground": sanction.legal_ground,
        }
        member_ids = list(consortium.members.values_list("supplier_id", flat=True))
        _end(consortium, to=Consortium.Status.INVALID, reason=reason, actor=actor, action="consortium.invalidate")
        notify(
            event="consortium.invalidated",
            recipients=company_users(member_ids),
            template="consortium_ended",
            context={"consortium": consortium, "reason": reason},
            link=_link(consortium),
        )
        ended.append(consortium)
    return ended

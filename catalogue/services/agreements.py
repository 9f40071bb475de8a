"""Framework competitions and agreements (다수공급자계약, docs/architecture.md §11).

A tender becomes a framework competition while it is a draft (its evaluation policy must allow it:
`can_be_framework`). It then runs as any tender — publication, sealed bids, opening, evaluation,
award and standstill — and once the award is final the agency concludes one agreement with the
awarded supplier and with each further valid bidder in ranking order, up to `max_suppliers`. The
tender is then contracted.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from bidding.models import Bid, OpenedBid
from contracts.models import Award
from procurement.audit import audit_record
from procurement.errors import Conflict, Invalid, InvalidTransition
from procurement.money import decimal_parse
from procurement.notifications import notify
from procurement.states import check_transition
from suppliers.models import Classification
from tenders.models import Tender
from tenders.policies import evaluation_policy
from tenders.selectors import tender_for_update
from tenders.services import tender_set_status

from ..models import FrameworkAgreement, FrameworkCall
from .common import clean_text, require_official_of, supplier_members


def framework_call_set(
    *,
    tender: Tender,
    actor,
    max_suppliers: int,
    ceiling,
    start_date: date,
    end_date: date,
    classification: Classification,
    max_price_increase_pct=Decimal("5"),
) -> FrameworkCall:
    """Make a draft tender a framework competition (or change its terms while it is a draft)."""
    require_official_of(actor, tender.entity_id)
    if not evaluation_policy(tender.evaluation_method).can_be_framework:
        raise Invalid(
            _("This evaluation method picks one winner; it cannot award a framework agreement."),
            field="evaluation_method",
        )
    ceiling = decimal_parse(ceiling, field="ceiling", low=Decimal("0.01"), places=2)
    increase = decimal_parse(
        max_price_increase_pct, field="max_price_increase_pct", low=Decimal(0), high=Decimal(100), places=2
    )
    if not (2 <= int(max_suppliers) <= 50):
        raise Invalid(_("A framework needs between 2 and 50 suppliers."), field="max_suppliers")
    if end_date < start_date:
        raise Invalid(_("The end date cannot be before the start date."), field="end_date")
    with transaction.atomic():
        tender = tender_for_update(tender.pk)
        if tender.status != Tender.Status.DRAFT:
            raise InvalidTransition(_("The framework terms can only be set while the tender is a draft."))
        call, created = FrameworkCall.objects.update_or_create(
            tender=tender,
            defaults={
                "max_suppliers": int(max_suppliers),
                "ceiling": ceiling,
                "start_date": start_date,
                "end_date": end_date,
                "classification": classification,
                "max_price_increase_pct": increase,
                "created_by": actor,
            },
        )
        audit_record(
            actor=actor,
            action="framework.set" if created else "framework.change",
            obj=tender,
            data={
                "max_suppliers": call.max_suppliers,
                "ceiling": ceiling,
                "period": [start_date, end_date],
                "classification": classification.code,
                "max_price_increase_pct": increase,
            },
        )
    return call


def framework_candidates(tender: Tender) -> list[OpenedBid]:
    """The bids an agreement may be concluded with: valid at opening, not disqualified or withdrawn,
    in ranking order, the awarded one first."""
    award = Award.objects.filter(tender=tender, status=Award.Status.FINAL).first()
    opened = (
        OpenedBid.objects.filter(opening__tender=tender, outcome=OpenedBid.Outcome.RANKED)
        .exclude(bid__status__in=[Bid.Status.DISQUALIFIED, Bid.Status.WITHDRAWN])
        .select_related("bid", "supplier")
        .order_by("rank", "id")
    )
    ranked = list(opened)
    if award is not None:
        ranked.sort(key=lambda ob: (ob.bid_id != award.bid_id, ob.rank or 0))
    return ranked


def agreements_conclude(*, tender: Tender, actor, bid_ids: list[int], title: str = "") -> list[FrameworkAgreement]:
    """Conclude one agreement per chosen bid (the awarded bid among them); the tender is contracted."""
    require_official_of(actor, tender.entity_id)
    with transaction.atomic():
        tender = tender_for_update(tender.pk)
        call = FrameworkCall.objects.filter(tender=tender).first()
        if call is None:
            raise Conflict(_("This tender is not a framework competition."), code="not_framework")
        award = Award.objects.select_for_update().filter(tender=tender, status=Award.Status.FINAL).first()
        if tender.status != Tender.Status.AWARDED or award is None:
            raise InvalidTransition(_("Agreements are concluded once the award is final (after the standstill)."))
        candidates = {ob.bid_id: ob for ob in framework_candidates(tender)}
        chosen = list(dict.fromkeys(int(b) for b in bid_ids))
        if award.bid_id not in chosen:
            raise Invalid(_("The awarded supplier must be among the framework's suppliers."), field="bid_ids")
        if len(chosen) > call.max_suppliers:
            raise Invalid(
                _("The framework allows at most %(n)s suppliers.") % {"n": call.max_suppliers}, field="bid_ids"
            )
        unknown = [b for b in chosen if b not in candidates]
        if unknown:
            raise Invalid(_("Only valid bids of this tender can be chosen."), field="bid_ids")
        agreements = []
        for index, bid_id in enumerate(chosen, start=1):
            opened = candidates[bid_id]
            agreements.append(
                FrameworkAgreement.objects.create(
                    call=call,
                    tender=tender,
                    entity_id=tender.entity_id,
                    supplier=opened.supplier,
                    bid=opened.bid,
                    reference=f"{tender.reference}-F{index}",
                    title=(title or tender.title).strip()[:300],
                    classification=call.classification,
                    currency=tender.currency,
                    ceiling=call.ceiling,
                    start_date=call.start_date,
                    end_date=call.end_date,
                    max_price_increase_pct=call.max_price_increase_pct,
                    concluded_by=actor,
                )
            )
        for agreement in agreements:
            audit_record(
                actor=actor,
                action="agreement.conclude",
                obj=agreement,
                data={"tender": tender.pk, "supplier": agreement.supplier_id, "ceiling": agreement.ceiling},
            )
        tender_set_status(
            tender=tender,
            to=Tender.Status.CONTRACTED,
            actor=actor,
            data={"framework_agreements": [a.pk for a in agreements]},
        )
        for agreement in agreements:
            notify(
                event="agreement.concluded",
                recipients=supplier_members(agreement.supplier_id),
                template="catalogue_agreement_concluded",
                context={"agreement": agreement},
                link=agreement.get_absolute_url(),
            )
    return agreements


def agreement_set_status(*, agreement: FrameworkAgreement, actor, to: str, reason: str) -> FrameworkAgreement:
    """Suspend, reinstate or terminate an agreement (the agency's officials); orders stop while suspended."""
    require_official_of(actor, agreement.entity_id)
    reason = clean_text(reason, field="reason", message=_("Give the reason."))
    with transaction.atomic():
        agreement = FrameworkAgreement.objects.select_for_update().get(pk=agreement.pk)
        check_transition(agreement, to, FrameworkAgreement.TRANSITIONS)
        before = agreement.status
        agreement.status = to
        agreement.status_reason = reason
        agreement.save(update_fields=["status", "status_reason"])
        audit_record(actor=actor, action=f"agreement.{to}", obj=agreement, data={"from": before, "reason": reason})
        notify(
            event=f"agreement.{to}",
            recipients=supplier_members(agreement.supplier_id),
            template="catalogue_agreement_status",
            context={"agreement": agreement, "reason": reason},
            link=agreement.get_absolute_url(),
        )
    return agreement

"""Second-stage competitions (2단계경쟁): an order at or above CATALOGUE_MINI_COMPETITION_THRESHOLD
is not placed directly but competed among the suppliers under the framework (docs/architecture.md §11).

- `mini_competition_start` turns the cart's lines of one agreement into a draft Tender of the
  `mini_competition` method (tenders.policies.MiniCompetitionMethod), invited to the supplier of
  every agreement in force under the same framework call, and a MiniCompetition linking the tender,
  the framework, the originating agreement and the requested lines. The official then publishes
  the tender as any other (the key ceremony in the browser): invited suppliers are told, offers are
  sealed, the deadline sweep closes it and a Celery worker opens it, once.
- `mini_competition_award` takes the opened offers in ranking order (lowest price: the one rule the
  frameworks use today) and awards the first whose supplier's agreement is in force and has room
  under its ceiling for the offered amount; the order is placed with that supplier at the offered
  price, within the entity's budget. Offers passed over are named with the reason in the audit entry.
- A tender that ends without an award (no offer, cancelled, declared unsuccessful) ends its
  competition too (`on_tender_ended`, a receiver of the tenders signals).

Locks: tender → competition → budget → agreements (by id). Order placement takes budget →
agreements → items and never the tender, so the two never wait on each other in a circle.
"""

from collections.abc import Iterable
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from bidding.models import Bid, OpenedBid, OpeningRecord
from bidding.services import bid_set_status
from procurement.audit import audit_record
from procurement.errors import Conflict, Forbidden, Invalid
from procurement.money import MONEY_CONTEXT
from procurement.notifications import notify
from procurement.states import check_transition
from tenders.models import Invitation, Tender
from tenders.selectors import is_approver_of, is_official_of, tender_for_update
from tenders.services import tender_create, tender_mark_unsuccessful, tender_set_status
from tenders.services.common import TenderValidationError
from tenders.timeline import timeline_errors

from ..models import (
    CartLine,
    CatalogueItem,
    EntityBudget,
    FrameworkAgreement,
    MiniCompetition,
    MiniCompetitionLine,
    Order,
    OrderLine,
    Region,
)
from .common import User, clean_text, money, next_reference, require_entity_official
from .orders import _budget_for_update, _tell_approvers, _tell_placed


def _in_force(agreement: FrameworkAgreement, today) -> bool:
    return agreement.status == FrameworkAgreement.Status.ACTIVE and agreement.start_date <= today <= agreement.end_date


def framework_suppliers(agreement: FrameworkAgreement) -> list[FrameworkAgreement]:
    """The agreements in force under the same framework call (its category): their suppliers are invited."""
    today = timezone.localdate()
    return [
        a
        for a in FrameworkAgreement.objects.filter(call_id=agreement.call_id).select_related("supplier").order_by("pk")
        if _in_force(a, today)
    ]


def mini_competition_cart_lines(*, actor, agreement: FrameworkAgreement) -> list[CartLine]:
    return list(
        CartLine.objects.filter(user=actor, item__agreement=agreement).select_related("item").order_by("added_at", "id")
    )


def _lines_table(lines: list[CartLine]) -> str:
    rows = "".join(
        f"<tr><td>{escape(line.item.name_ko)}</td><td>{escape(line.item.specification)}</td>"
        f"<td>{line.quantity}</td><td>{escape(line.item.unit)}</td></tr>"
        for line in lines
    )
    head = "".join(f"<th>{escape(h)}</th>" for h in (_("Item"), _("Specification"), _("Quantity"), _("Unit")))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def mini_competition_start(
    *,
    actor,
    agreement: FrameworkAgreement,
    delivery_address: str,
    region: str,
    submission_deadline: datetime | None,
    opening_at: datetime | None,
    note: str = "",
) -> MiniCompetition:
    """The cart's lines under `agreement` (at or above the threshold) become a draft competition."""
    entity = require_entity_official(actor)
    address = clean_text(
        delivery_address, field="delivery_address", message=_("Give the delivery address."), max_length=300
    )
    if region not in Region.values:
        raise Invalid(_("Choose the delivery region."), field="region")
    note = (note or "").strip()[:2000]
    now = timezone.now()
    if submission_deadline is None or submission_deadline <= now:
        raise Invalid(_("Set a submission deadline in the future."), field="submission_deadline")
    clarification_deadline = now + (submission_deadline - now) / 2
    errors = timeline_errors(
        method=Tender.Method.MINI_COMPETITION,
        category=Tender.Category.GOODS,
        clarification_deadline=clarification_deadline,
        submission_deadline=submission_deadline,
        opening_at=opening_at,
        now=now,
    )
    if errors:
        raise TenderValidationError(errors)
    today = timezone.localdate()
    with transaction.atomic():
        # Lock order as placing an order: budget → agreement → items.
        budget = _budget_for_update(entity.pk)
        agreement = FrameworkAgreement.objects.select_for_update().select_related("call").get(pk=agreement.pk)
        lines = mini_competition_cart_lines(actor=actor, agreement=agreement)
        if not lines:
            raise Invalid(_("Your cart has no items under this agreement."), field="lines")
        items = {
            i.pk: i
            for i in CatalogueItem.objects.select_for_update()
            .filter(pk__in=[line.item_id for line in lines])
            .order_by("pk")
        }
        problems = []
        for line in lines:
            item = items[line.item_id]
            if item.status != CatalogueItem.Status.PUBLISHED:
                problems.append(_("“%(item)s” has been withdrawn from the catalogue.") % {"item": item.name})
            elif item.unit_price != line.unit_price_seen:
                problems.append(
                    _("The price of “%(item)s” changed from %(old)s to %(new)s; review your cart.")
                    % {"item": item.name, "old": f"{line.unit_price_seen:,.0f}", "new": f"{item.unit_price:,.0f}"}
                )
            elif region not in item.regions:
                problems.append(_("“%(item)s” is not delivered to that region.") % {"item": item.name})
        if not _in_force(agreement, today):
            problems.append(
                _("The agreement %(ref)s is not in force; its items cannot be ordered.") % {"ref": agreement.reference}
            )
        if problems:
            raise Conflict(" ".join(dict.fromkeys(str(p) for p in problems)), code="cart_changed")
        total = money(sum((MONEY_CONTEXT.multiply(line.unit_price_seen, line.quantity) for line in lines), Decimal(0)))
        threshold = settings.CATALOGUE_MINI_COMPETITION_THRESHOLD
        if total < threshold:
            raise Conflict(
                _("An order of %(total)s is below %(limit)s: place it directly from the cart.")
                % {"total": f"{total:,.0f}", "limit": f"{threshold:,.0f}"},
                code="below_threshold",
            )
        if budget.committed + total > budget.amount:
            raise Conflict(
                _("The order (%(total)s) exceeds your entity's remaining catalogue budget (%(left)s).")
                % {"total": f"{total:,.0f}", "left": f"{budget.remaining:,.0f}"},
                code="budget",
            )
        candidates = framework_suppliers(agreement)
        first = lines[0].item.name_ko
        more = len(lines) - 1
        title = _("Second-stage competition: %(item)s") % {"item": first}
        if more:
            title = _("Second-stage competition: %(item)s and %(n)s more") % {"item": first, "n": more}
        tender = tender_create(
            actor=actor,
            system=True,
            classifications=[agreement.classification],
            data={
                "title": title,
                "description": (
                    "<p>"
                    + escape(
                        _("Offers from the suppliers under framework agreement %(ref)s (%(title)s) for:")
                        % {"ref": agreement.reference, "title": agreement.title}
                    )
                    + "</p>"
                    + _lines_table(lines)
                    + "<p>"
                    + escape(
                        _(
                            "Offer one total price for all lines; price lines (one per line above, in the "
                            "same order and quantities) set the unit prices of the order."
                        )
                    )
                    + "</p>"
                ),
                "method": Tender.Method.MINI_COMPETITION,
                "category": Tender.Category.GOODS,
                "estimated_value": total,
                "currency": agreement.currency,
                "delivery_place": address,
                "eligibility": _("Suppliers with an agreement in force under framework %(ref)s.")
                % {"ref": agreement.call.tender.reference or agreement.reference},
                "evaluation_method": Tender.EvaluationMethod.LOWEST_PRICE,
                "evaluation_params": {},
                "envelopes": 1,
                "clarification_deadline": clarification_deadline,
                "submission_deadline": submission_deadline,
                "opening_at": opening_at,
            },
        )
        invited = {a.supplier_id for a in candidates}
        Invitation.objects.bulk_create(
            [Invitation(tender=tender, supplier_id=supplier_id, invited_by=actor) for supplier_id in sorted(invited)]
        )
        audit_record(
            actor=actor,
            action="tender.invitations_set",
            obj=tender,
            data={"suppliers": sorted(invited), "added": sorted(invited), "framework": agreement.call_id},
        )
        competition = MiniCompetition.objects.create(
            tender=tender,
            framework=agreement.call,
            origin_agreement=agreement,
            entity=entity,
            budget=budget,
            currency=agreement.currency,
            reference_total=total,
            delivery_address=address,
            region=region,
            note=note,
            requested_by=actor,
        )
        MiniCompetitionLine.objects.bulk_create(
            [
                MiniCompetitionLine(
                    competition=competition,
                    item=line.item,
                    name=line.item.name_ko,
                    specification=line.item.specification,
                    unit=line.item.unit,
                    quantity=line.quantity,
                    reference_price=line.unit_price_seen,
                )
                for line in lines
            ]
        )
        audit_record(
            actor=actor,
            action="mini_competition.start",
            obj=competition,
            data={
                "tender": tender.pk,
                "framework": agreement.call_id,
                "origin_agreement": agreement.pk,
                "reference_total": total,
                "invited": sorted(invited),
                "lines": [[line.item_id, line.quantity, line.unit_price_seen] for line in lines],
            },
        )
        CartLine.objects.filter(pk__in=[line.pk for line in lines]).delete()
    return competition


def mini_competition_offers(competition: MiniCompetition) -> list[OpenedBid]:
    """The opened offers in ranking order; nothing before the opening is complete (sealed until then)."""
    record = OpeningRecord.objects.filter(tender_id=competition.tender_id).first()
    if record is None or record.stage != OpeningRecord.Stage.COMPLETE:
        return []
    return list(
        OpenedBid.objects.filter(opening=record)
        .select_related("bid", "supplier")
        .order_by(F("rank").asc(nulls_last=True), "submitted_at", "pk")
    )


# --- award -------------------------------------------------------------------------------------------


def _offered_unit_prices(offer: OpenedBid, lines: list[MiniCompetitionLine]) -> list[Decimal] | None:
    """The offer's own unit prices when its price lines match the requested lines one for one."""
    offered = offer.price_lines or []
    if len(offered) != len(lines):
        return None
    prices = []
    for raw, line in zip(offered, lines, strict=True):
        try:
            quantity = Decimal(str(raw.get("quantity")))
            unit_price = Decimal(str(raw.get("unit_price")))
        except (ArithmeticError, AttributeError, TypeError, ValueError):
            return None
        if quantity != line.quantity or unit_price <= 0:
            return None
        prices.append(unit_price.quantize(Decimal("0.01")))
    return prices


def _scaled_unit_prices(total: Decimal, lines: list[MiniCompetitionLine]) -> list[Decimal]:
    """Without matching price lines: the catalogue prices scaled to the offered total, rounded down
    to the won, so that the order never costs more than was offered."""
    reference = sum((line.amount for line in lines), Decimal(0))
    return [
        max((line.reference_price * total / reference).quantize(Decimal(1), rounding=ROUND_DOWN), Decimal(1))
        for line in lines
    ]


def _why_not(agreement: FrameworkAgreement | None, amount: Decimal, currency: str, today) -> str | None:
    if agreement is None:
        return str(_("no agreement under the framework"))
    if not _in_force(agreement, today):
        return str(_("agreement %(ref)s not in force") % {"ref": agreement.reference})
    if agreement.currency != currency:
        return str(_("agreement %(ref)s is in another currency") % {"ref": agreement.reference})
    if agreement.ordered_total + amount > agreement.ceiling:
        return str(
            _("agreement %(ref)s has %(left)s left under its ceiling")
            % {"ref": agreement.reference, "left": f"{agreement.remaining:,.0f}"}
        )
    return None


def mini_competition_award(*, competition: MiniCompetition, actor) -> MiniCompetition:
    """Award the opened competition by the framework's rule and place the order with the winner."""
    if not is_official_of(actor, competition.entity_id):
        raise Forbidden(_("Only an official of the buying entity can award its second-stage competition."))
    today = timezone.localdate()
    with transaction.atomic():
        tender = tender_for_update(competition.tender_id)
        competition = MiniCompetition.objects.select_for_update().get(pk=competition.pk)
        check_transition(competition, MiniCompetition.Status.AWARDED, MiniCompetition.TRANSITIONS)
        record = OpeningRecord.objects.filter(tender=tender).first()
        if tender.status != Tender.Status.OPENED or record is None or record.stage != OpeningRecord.Stage.COMPLETE:
            raise Conflict(_("The offers have not been opened yet."), code="not_opened")
        offers = list(
            OpenedBid.objects.filter(opening=record, outcome=OpenedBid.Outcome.RANKED, bid__status=Bid.Status.OPENED)
            .select_related("bid", "supplier")
            .order_by("rank", "submitted_at", "pk")
        )
        if not offers:
            raise Conflict(_("No valid offer was opened: declare the competition unsuccessful."), code="no_offer")
        budget = EntityBudget.objects.select_for_update().get(pk=competition.budget_id)
        agreements = {
            a.supplier_id: a
            for a in FrameworkAgreement.objects.select_for_update()
            .filter(call_id=competition.framework_id, supplier_id__in=[o.supplier_id for o in offers])
            .order_by("pk")
        }
        lines = list(competition.lines.order_by("pk"))
        skipped, winner, prices = [], None, None
        for offer in offers:
            unit_prices = _offered_unit_prices(offer, lines) or _scaled_unit_prices(offer.price, lines)
            amount = money(sum((p * line.quantity for p, line in zip(unit_prices, lines, strict=True)), Decimal(0)))
            reason = _why_not(agreements.get(offer.supplier_id), amount, competition.currency, today)
            if offer.currency != competition.currency:
                reason = str(_("offer in another currency"))
            if reason is None:
                winner, prices, total = offer, unit_prices, amount
                break
            skipped.append({"bid": offer.bid_id, "supplier": offer.supplier_id, "reason": reason})
        if winner is None:
            raise Conflict(
                _("No offer can be awarded: %(reasons)s.") % {"reasons": "; ".join(s["reason"] for s in skipped)},
                code="no_awardable_offer",
            )
        if budget.committed + total > budget.amount:
            raise Conflict(
                _("The winning offer (%(total)s) exceeds your entity's remaining catalogue budget (%(left)s).")
                % {"total": f"{total:,.0f}", "left": f"{budget.remaining:,.0f}"},
                code="budget",
            )
        agreement = agreements[winner.supplier_id]
        # The award by a second official who may approve is the approval an order above the limit needs.
        approved_here = is_approver_of(actor, competition.entity_id) and actor.pk != competition.requested_by_id
        needs_approval = total > budget.approval_limit and not approved_here
        now = timezone.now()
        order = Order.objects.create(
            reference=next_reference("CO"),
            entity_id=competition.entity_id,
            budget=budget,
            agreement=agreement,
            supplier_id=agreement.supplier_id,
            status=Order.Status.PENDING_APPROVAL if needs_approval else Order.Status.PLACED,
            currency=competition.currency,
            total=total,
            delivery_address=competition.delivery_address,
            region=competition.region,
            note=competition.note,
            placed_by=competition.requested_by,
            approved_by=None if needs_approval or total <= budget.approval_limit else actor,
            placed_at=None if needs_approval else now,
        )
        OrderLine.objects.bulk_create(
            [
                # The item is the catalogue line the request started from (its specification and
                # category), whoever won: no stock is taken or given back for a competition's order.
                OrderLine(
                    order=order,
                    item_id=line.item_id,
                    name=line.name,
                    unit=line.unit,
                    unit_price=price,
                    price_version=0,
                    quantity=line.quantity,
                )
                for price, line in zip(prices, lines, strict=True)
            ]
        )
        agreement.ordered_total += total
        agreement.save(update_fields=["ordered_total"])
        budget.committed += total
        budget.save(update_fields=["committed"])
        audit_record(
            actor=actor,
            action="order.place",
            obj=order,
            data={
                "status": order.status,
                "total": total,
                "agreement": agreement.pk,
                "mini_competition": competition.pk,
                "lines": [[line.name, line.quantity, price] for price, line in zip(prices, lines, strict=True)],
            },
        )
        # The bids and the tender move on as an award does (each change audited by its service).
        bid_set_status(bid=winner.bid, to=Bid.Status.QUALIFIED, actor=actor)
        bid_set_status(bid=winner.bid, to=Bid.Status.AWARDED, actor=actor)
        for other in Bid.objects.filter(tender=tender, status=Bid.Status.OPENED).exclude(pk=winner.bid_id):
            bid_set_status(bid=other, to=Bid.Status.NOT_AWARDED, actor=actor)
        data = {"mini_competition": competition.pk, "bid": winner.bid_id, "order": order.reference}
        tender_set_status(tender=tender, to=Tender.Status.EVALUATED, actor=actor, data=data)
        tender_set_status(tender=tender, to=Tender.Status.AWARDED, actor=actor, data=data)
        tender_set_status(tender=tender, to=Tender.Status.CONTRACTED, actor=actor, data=data)
        before = {"status": competition.status}
        competition.status = MiniCompetition.Status.AWARDED
        competition.winning_bid = winner.bid
        competition.winning_agreement = agreement
        competition.order = order
        competition.awarded_by = actor
        competition.awarded_at = now
        competition.save()
        audit_record(
            actor=actor,
            action="mini_competition.award",
            obj=competition,
            before=before,
            data={
                "bid": winner.bid_id,
                "supplier": winner.supplier_id,
                "offered": winner.price,
                "order": order.reference,
                "order_total": total,
                "passed_over": skipped,
            },
        )
        if order.status == Order.Status.PLACED:
            _tell_placed(order)
        else:
            _tell_approvers(order, actor)
        losers = OpenedBid.objects.filter(opening=record).exclude(pk=winner.pk).values("supplier_id")
        members = User.objects.filter(is_active=True, supplier_membership__supplier_id__in=losers)
        _tell_result(competition, recipients=[*members, competition.requested_by])
    return competition


def _tell_result(competition: MiniCompetition, recipients: Iterable) -> None:
    notify(
        event="mini_competition.result",
        recipients=recipients,
        template="catalogue_mini_competition_result",
        context={"competition": competition, "tender": competition.tender},
        link=competition.tender.get_absolute_url(),
    )


def mini_competition_declare_unsuccessful(*, competition: MiniCompetition, actor, reason: str) -> MiniCompetition:
    """No offer can be awarded (or none came): the tender ends unsuccessful, and the competition with it."""
    if not is_official_of(actor, competition.entity_id):
        raise Forbidden(_("Only an official of the buying entity can end its second-stage competition."))
    reason = clean_text(reason, field="reason", message=_("Say why the competition was unsuccessful."))
    tender_mark_unsuccessful(tender=competition.tender, actor=actor, reason=reason)
    competition.refresh_from_db()
    return competition


def on_tender_ended(sender, tender, actor, reason, **kwargs) -> None:
    """The tender was cancelled or ended unsuccessful (in its service's transaction): so is the competition."""
    competition = MiniCompetition.objects.select_for_update().filter(tender=tender).first()
    if competition is None or competition.status != MiniCompetition.Status.OPEN:
        return
    before = {"status": competition.status}
    competition.status = MiniCompetition.Status.UNSUCCESSFUL
    competition.status_reason = reason
    competition.save(update_fields=["status", "status_reason"])
    audit_record(
        actor=actor, action="mini_competition.unsuccessful", obj=competition, before=before, data={"reason": reason}
    )
    _tell_result(competition, recipients=[competition.requested_by])

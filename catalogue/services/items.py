"""Catalogue items: suppliers draft them under their agreement, the agency approves them, and
prices change only through an approved, numbered price change (docs/architecture.md §11)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.audit import audit_record
from procurement.errors import Conflict, Invalid, InvalidTransition
from procurement.money import MONEY_CONTEXT, decimal_parse
from procurement.notifications import notify
from procurement.states import check_transition
from procurement.storage import stored_files
from procurement.uploads import validate_upload
from suppliers.models import Classification

from ..models import CatalogueItem, Certification, FrameworkAgreement, ItemPriceChange, Region
from .common import (
    clean_quantity,
    clean_text,
    entity_officials,
    require_member_of,
    require_official_of,
    supplier_members,
)

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif"})


@dataclass
class ItemData:
    """What a supplier says about an item (the price is only set here while it is not published)."""

    name_ko: str
    unit_price: object
    classification: Classification | None = None
    name_en: str = ""
    model_number: str = ""
    specification: str = ""
    unit: str = "EA"
    min_order_quantity: object = 1
    stock: object = 0
    lead_time_days: object = 7
    regions: list = field(default_factory=list)
    certifications: list = field(default_factory=list)
    photo: object = None
    spec_sheet: object = None


def _clean(data: ItemData, agreement: FrameworkAgreement) -> dict:
    regions = list(dict.fromkeys(data.regions or []))
    if not regions or any(r not in Region.values for r in regions):
        raise Invalid(_("Choose the regions the item is delivered to."), field="regions")
    certifications = list(dict.fromkeys(data.certifications or []))
    if any(c not in Certification.values for c in certifications):
        raise Invalid(_("Choose certifications from the list."), field="certifications")
    classification = data.classification or agreement.classification
    if not classification.code.startswith(agreement.classification.code[:2]):
        raise Invalid(_("The item's category must fall within the agreement's category."), field="classification")
    unit = " ".join((data.unit or "").split())[:20]
    if not unit:
        raise Invalid(_("Give the unit (EA, box, set…)."), field="unit")
    return {
        "name_ko": clean_text(data.name_ko, field="name_ko", message=_("Give the item's name."), max_length=200),
        "name_en": (data.name_en or "").strip()[:200],
        "model_number": (data.model_number or "").strip()[:100],
        "specification": (data.specification or "").strip()[:5000],
        "unit": unit,
        "unit_price": decimal_parse(data.unit_price, field="unit_price", low=Decimal("0.01"), places=2),
        "min_order_quantity": clean_quantity(data.min_order_quantity, field="min_order_quantity"),
        "stock": clean_quantity(data.stock, field="stock", low=0, high=100_000_000),
        "lead_time_days": clean_quantity(data.lead_time_days, field="lead_time_days", low=0, high=365),
        "regions": regions,
        "certifications": certifications,
        "classification": classification,
    }


def _check_files(data: ItemData) -> None:
    for name in ("photo", "spec_sheet"):
        upload = getattr(data, name)
        if not upload:
            continue
        try:
            content_type = validate_upload(upload)
        except ValidationError as exc:
            raise Invalid(" ".join(exc.messages), field=name) from None
        if name == "photo" and content_type not in IMAGE_TYPES:
            raise Invalid(_("The photo must be a PNG, JPEG, WebP or GIF image."), field=name)
        if name == "spec_sheet" and content_type != "application/pdf":
            raise Invalid(_("The specification sheet must be a PDF."), field=name)
        upload.seek(0)


def _agency_link(item: CatalogueItem) -> str:
    return item.get_absolute_url()


def item_create(*, agreement: FrameworkAgreement, actor, data: ItemData) -> CatalogueItem:
    """A draft item under the supplier's own agreement."""
    require_member_of(actor, agreement.supplier_id)
    values = _clean(data, agreement)
    _check_files(data)
    with stored_files() as files:
        item = CatalogueItem(agreement=agreement, supplier_id=agreement.supplier_id, created_by=actor, **values)
        for name in ("photo", "spec_sheet"):
            if getattr(data, name):
                files.save(getattr(item, name), getattr(data, name).name, getattr(data, name))
        with transaction.atomic():
            agreement = FrameworkAgreement.objects.select_for_update().get(pk=agreement.pk)
            if agreement.status != FrameworkAgreement.Status.ACTIVE:
                raise Conflict(_("Items can only be added under an active agreement."), code="agreement_inactive")
            item.save()
            audit_record(actor=actor, action="item.create", obj=item, data=_audit_values(values))
    return item


def _audit_values(values: dict) -> dict:
    return {k: (v.code if isinstance(v, Classification) else v) for k, v in values.items()}


def item_update(*, item: CatalogueItem, actor, data: ItemData) -> CatalogueItem:
    """Change a draft, returned or withdrawn item (a published one changes stock and price only)."""
    require_member_of(actor, item.supplier_id)
    values = _clean(data, item.agreement)
    _check_files(data)
    with stored_files() as files, transaction.atomic():
        item = CatalogueItem.objects.select_for_update().get(pk=item.pk)
        if item.status not in CatalogueItem.EDITABLE_STATUSES:
            raise InvalidTransition(
                _("A published or pending item cannot be edited; withdraw it first or request a price change.")
            )
        for key, value in values.items():
            setattr(item, key, value)
        for name in ("photo", "spec_sheet"):
            if getattr(data, name):
                files.save(getattr(item, name), getattr(data, name).name, getattr(data, name))
        item.save()
        audit_record(actor=actor, action="item.update", obj=item, data=_audit_values(values))
    return item


def item_stock_set(*, item: CatalogueItem, actor, stock, lead_time_days=None) -> CatalogueItem:
    """Stock and lead time are the supplier's to keep current at any time (no approval)."""
    require_member_of(actor, item.supplier_id)
    stock = clean_quantity(stock, field="stock", low=0, high=100_000_000)
    with transaction.atomic():
        # Same lock as ordering takes: a restock does not overwrite an order's decrement.
        item = CatalogueItem.objects.select_for_update().get(pk=item.pk)
        before = {"stock": item.stock, "lead_time_days": item.lead_time_days}
        item.stock = stock
        if lead_time_days not in (None, ""):
            item.lead_time_days = clean_quantity(lead_time_days, field="lead_time_days", low=0, high=365)
        item.save(update_fields=["stock", "lead_time_days", "updated_at"])
        audit_record(
            actor=actor,
            action="item.stock",
            obj=item,
            data={"before": before, "after": {"stock": item.stock, "lead_time_days": item.lead_time_days}},
        )
    return item


def item_submit(*, item: CatalogueItem, actor) -> CatalogueItem:
    require_member_of(actor, item.supplier_id)
    with transaction.atomic():
        item = CatalogueItem.objects.select_for_update().select_related("agreement").get(pk=item.pk)
        check_transition(item, CatalogueItem.Status.PENDING, CatalogueItem.TRANSITIONS)
        if item.agreement.status != FrameworkAgreement.Status.ACTIVE:
            raise Conflict(_("Items can only be submitted under an active agreement."), code="agreement_inactive")
        item.status = CatalogueItem.Status.PENDING
        item.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="item.submit", obj=item, data={"unit_price": item.unit_price})
        notify(
            event="item.submitted",
            recipients=entity_officials(item.agreement.entity_id),
            template="catalogue_item_submitted",
            context={"item": item},
            link=_agency_link(item),
        )
    return item


def item_review(*, item: CatalogueItem, actor, approve: bool, reason: str = "") -> CatalogueItem:
    """The agency publishes the item, or returns it to the supplier with a reason."""
    require_official_of(actor, item.agreement.entity_id, _("Only an official of the agency can review items."))
    if not approve:
        reason = clean_text(reason, field="reason", message=_("Say what must change."))
    with transaction.atomic():
        item = CatalogueItem.objects.select_for_update().get(pk=item.pk)
        to = CatalogueItem.Status.PUBLISHED if approve else CatalogueItem.Status.REJECTED
        check_transition(item, to, CatalogueItem.TRANSITIONS)
        item.status = to
        item.reviewed_by = actor
        item.review_reason = reason
        fields = ["status", "reviewed_by", "review_reason", "updated_at"]
        if approve:
            item.published_at = timezone.now()
            fields.append("published_at")
        item.save(update_fields=fields)
        audit_record(
            actor=actor, action="item.publish" if approve else "item.return", obj=item, data={"reason": reason}
        )
        notify(
            event="item.reviewed",
            recipients=supplier_members(item.supplier_id),
            template="catalogue_item_reviewed",
            context={"item": item, "approved": approve, "reason": reason},
            link=item.get_absolute_url(),
        )
    return item


def item_withdraw(*, item: CatalogueItem, actor, reason: str) -> CatalogueItem:
    """Take a published item off the catalogue (the supplier, or the agency). Orders already
    placed keep it; carts holding it are refused at ordering."""
    reason = clean_text(reason, field="reason", message=_("Give the reason."))
    from tenders.selectors import is_official_of

    if not is_official_of(actor, item.agreement.entity_id):
        require_member_of(actor, item.supplier_id)
    with transaction.atomic():
        item = CatalogueItem.objects.select_for_update().get(pk=item.pk)
        check_transition(item, CatalogueItem.Status.WITHDRAWN, CatalogueItem.TRANSITIONS)
        item.status = CatalogueItem.Status.WITHDRAWN
        item.review_reason = reason
        item.save(update_fields=["status", "review_reason", "updated_at"])
        audit_record(actor=actor, action="item.withdraw", obj=item, data={"reason": reason})
    return item


def price_change_request(*, item: CatalogueItem, actor, new_price, reason: str) -> ItemPriceChange:
    """Ask the agency to change a published item's price, within the agreement's increase limit."""
    require_member_of(actor, item.supplier_id)
    new_price = decimal_parse(new_price, field="new_price", low=Decimal("0.01"), places=2)
    reason = clean_text(reason, field="reason", message=_("Give the reason for the change."))
    with transaction.atomic():
        item = CatalogueItem.objects.select_for_update().select_related("agreement").get(pk=item.pk)
        if item.status != CatalogueItem.Status.PUBLISHED:
            raise InvalidTransition(_("Only a published item's price changes by request; edit a draft directly."))
        if new_price == item.unit_price:
            raise Invalid(_("The new price is the current price."), field="new_price")
        limit = MONEY_CONTEXT.multiply(item.unit_price, 1 + item.agreement.max_price_increase_pct / 100)
        if new_price > limit:
            raise Invalid(
                _("The agreement allows an increase of at most %(pct)s %% per change (up to %(limit)s).")
                % {"pct": item.agreement.max_price_increase_pct, "limit": f"{limit:,.2f}"},
                field="new_price",
            )
        if ItemPriceChange.objects.filter(item=item, status=ItemPriceChange.Status.PENDING).exists():
            raise Conflict(_("A price change for this item is already waiting for approval."), code="pending")
        change = ItemPriceChange.objects.create(
            item=item, old_price=item.unit_price, new_price=new_price, reason=reason, requested_by=actor
        )
        audit_record(
            actor=actor,
            action="item.price_change_request",
            obj=item,
            data={"change": change.pk, "from": item.unit_price, "to": new_price, "reason": reason},
        )
        notify(
            event="item.price_change_requested",
            recipients=entity_officials(item.agreement.entity_id),
            template="catalogue_price_change_requested",
            context={"item": item, "change": change},
            link=_agency_link(item),
        )
    return change


def price_change_decide(*, change: ItemPriceChange, actor, approve: bool, reason: str = "") -> ItemPriceChange:
    """Approve (the item's price and price version change now) or reject a requested price."""
    item = change.item
    require_official_of(actor, item.agreement.entity_id, _("Only an official of the agency can decide prices."))
    if not approve:
        reason = clean_text(reason, field="reason", message=_("Give the reason for rejecting the change."))
    with transaction.atomic():
        # Item first, then the change: the order every price service locks in.
        item = CatalogueItem.objects.select_for_update().get(pk=item.pk)
        change = ItemPriceChange.objects.select_for_update().get(pk=change.pk)
        to = ItemPriceChange.Status.APPROVED if approve else ItemPriceChange.Status.REJECTED
        check_transition(change, to, ItemPriceChange.TRANSITIONS)
        change.status = to
        change.decided_by = actor
        change.decided_at = timezone.now()
        change.decision_reason = reason
        fields = ["status", "decided_by", "decided_at", "decision_reason"]
        if approve:
            item.unit_price = change.new_price
            item.price_version += 1
            item.save(update_fields=["unit_price", "price_version", "updated_at"])
            change.version = item.price_version
            fields.append("version")
        change.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="item.price_change_approve" if approve else "item.price_change_reject",
            obj=item,
            data={"change": change.pk, "from": change.old_price, "to": change.new_price, "reason": reason},
        )
        notify(
            event="item.price_change_decided",
            recipients=supplier_members(item.supplier_id),
            template="catalogue_price_change_decided",
            context={"item": item, "change": change, "approved": approve},
            link=item.get_absolute_url(),
        )
    return change

"""What every catalogue service shares: references, the people to tell, identity guards."""

from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.errors import Forbidden, Invalid
from procurement.roles import Role
from suppliers.selectors import membership_for_user
from tenders.selectors import is_official_of, official_entity

User = get_user_model()
CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def next_reference(prefix: str) -> str:
    """`<prefix>-<year>-<n>`: one INSERT … ON CONFLICT DO UPDATE … RETURNING, so numbers never repeat."""
    year = timezone.localdate().year
    key = f"{prefix}{year}"
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO catalogue_referencecounter (key, last) VALUES (%s, 1) "
            "ON CONFLICT (key) DO UPDATE SET last = catalogue_referencecounter.last + 1 RETURNING last",
            [key],
        )
        (number,) = cursor.fetchone()
    return f"{prefix}-{year}-{number:05d}"


def entity_officials(entity_id: int, *, approvers_only: bool = False):
    qs = User.objects.filter(is_active=True, role=Role.OFFICIAL, official__entity_id=entity_id)
    if approvers_only:
        qs = qs.filter(official__can_approve=True)
    return qs


def supplier_members(supplier_id: int):
    return User.objects.filter(is_active=True, supplier_membership__supplier_id=supplier_id)


def require_official_of(actor, entity_id: int, message: str | None = None) -> None:
    if not is_official_of(actor, entity_id):
        raise Forbidden(message or _("Only an official of the buying entity can do this."))


def require_entity_official(actor):
    entity = official_entity(actor)
    if entity is None:
        raise Forbidden(_("Only a procuring official can order from the catalogue."))
    return entity


def require_member_of(actor, supplier_id: int) -> None:
    """A member who acts for the company (administrator or bidder), read fresh."""
    membership = membership_for_user(actor)
    if membership is None or membership.supplier_id != supplier_id or not membership.may_bid:
        raise Forbidden(_("Only a member of the supplier can do this."))


def clean_text(value: str, *, field: str, message: str, max_length: int = 2000) -> str:
    text = (value or "").strip()
    if not text:
        raise Invalid(message, field=field)
    if len(text) > max_length:
        raise Invalid(_("Use at most %(n)s characters.") % {"n": max_length}, field=field)
    return text


def clean_quantity(value, *, field: str = "quantity", low: int = 1, high: int = 1_000_000) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise Invalid(_("Enter a whole number."), field=field) from None
    if not (low <= number <= high):
        raise Invalid(_("Enter a whole number between %(low)s and %(high)s.") % {"low": low, "high": high}, field=field)
    return number

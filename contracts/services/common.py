"""Guards and helpers every contracts service shares."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext as _

from bidding.models import Bid
from procurement.errors import Forbidden, Invalid
from procurement.roles import Role
from suppliers.models import SupplierMember
from tenders.models import Tender

User = get_user_model()

# Company roles that may act on the company's bid (complaints, deliveries).
BIDDING_ROLES = frozenset({SupplierMember.Role.ADMINISTRATOR, SupplierMember.Role.BIDDER})


def db_now():
    """The database's clock right now (clock_timestamp(), not the transaction's start)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


def is_entity_official(user, entity_id: int) -> bool:
    """A procuring official (role) who belongs to the entity. Evaluators with an Official row do not count."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.OFFICIAL:
        return False
    official = getattr(user, "official", None)
    return official is not None and official.entity_id == entity_id


def require_entity_official(tender: Tender, actor) -> None:
    if not is_entity_official(actor, tender.entity_id):
        raise Forbidden(_("Only officials of %(entity)s can do this.") % {"entity": tender.entity.name})


def supplier_membership(user) -> SupplierMember | None:
    if not getattr(user, "is_authenticated", False) or user.role != Role.SUPPLIER:
        return None
    return SupplierMember.objects.select_related("supplier").filter(user_id=user.pk).first()


def members_of_supplier(supplier_id: int):
    return User.objects.filter(is_active=True, supplier_membership__supplier_id=supplier_id)


def entity_officials(tender: Tender):
    return User.objects.filter(is_active=True, role=Role.OFFICIAL, official__entity_id=tender.entity_id)


def opened_bids_of(tender: Tender):
    """Every bid that went through opening (withdrawn ones never do)."""
    return Bid.objects.filter(tender=tender, opened__isnull=False).select_related("supplier", "opened")


def clean_reason(reason: str, *, message: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(message, field=field)
    return reason

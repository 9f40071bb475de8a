"""Guards and helpers every contracts service shares."""

from django.contrib.auth import get_user_model
from django.db import connection

from bidding.models import Bid
from procurement.errors import Invalid
from procurement.roles import Role
from tenders.models import Tender

User = get_user_model()


def db_now():
    """The database's clock right now (clock_timestamp(), not the transaction's start)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


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

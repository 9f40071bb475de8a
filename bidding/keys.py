"""The one place a tender's private key is unwrapped (docs/architecture.md §4).

`opening_private_key` is called only by services.opening.bid_open_all, inside its transaction and
after it has locked the tender. It checks the opening time itself against the database clock, so
no caller — a buggy task, a shell, a future feature — can read bids early through it.
tests/bidding/test_keys.py checks that nothing else in the code base calls unwrap_private_key.
"""

from django.db import connection
from django.utils.translation import gettext as _
from nacl.public import PrivateKey

from procurement.errors import Conflict
from procurement.sealing import unwrap_private_key
from tenders.models import Tender


class TooEarly(Conflict):
    code = "too_early"


def opening_time_reached(tender_id: int) -> bool:
    """Whether the database clock has reached the tender's opening time."""
    with connection.cursor() as cursor:
        cursor.execute(
            # clock_timestamp(), not now(): now() is the start of a transaction that may have waited.
            "SELECT opening_at IS NOT NULL AND clock_timestamp() >= opening_at FROM tenders_tender WHERE id = %s",
            [tender_id],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def opening_private_key(tender: Tender) -> PrivateKey:
    """The tender's private key, or TooEarly before its opening time by the database clock."""
    if not opening_time_reached(tender.pk):
        raise TooEarly(_("The bids of this tender cannot be opened before its opening time."))
    if not tender.wrapped_private_key:
        raise Conflict(_("This tender has no sealing key."), code="no_key")
    return unwrap_private_key(bytes(tender.wrapped_private_key))

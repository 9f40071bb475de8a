"""Writes for bidding: submission, withdrawal, reserve prices, closing, opening, evaluation status.

The time-driven ones (closing, opening) are called the same way by the beat sweep, ETA tasks, the
official's "Open now" button and the open_overdue_tenders command.
"""

from .opening import TooEarly, bid_close_tender, bid_open_all
from .reserve_prices import reserve_prices_draw_for, reserve_values_unseal
from .scheduling import AdvanceReport, tender_advance, tenders_advance_due
from .status import bid_set_status
from .submission import LateBid, SubmissionResult, bid_seal, bid_submit, bid_withdraw

__all__ = [
    "AdvanceReport",
    "LateBid",
    "SubmissionResult",
    "TooEarly",
    "bid_close_tender",
    "bid_open_all",
    "bid_seal",
    "bid_set_status",
    "bid_submit",
    "bid_withdraw",
    "reserve_prices_draw_for",
    "reserve_values_unseal",
    "tender_advance",
    "tenders_advance_due",
]

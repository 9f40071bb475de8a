"""Writes for bidding: submission, withdrawal, key shares, closing, opening, evaluation status.

The time-driven ones (closing, opening) are called the same way by the beat sweep, ETA tasks, the
official's "Open now" button and the open_overdue_tenders command.
"""

from .opening import QuorumMissing, TooEarly, bid_close_tender, bid_open_all
from .quorum import key_share_submit, opening_quorum_wait
from .reserve_prices import ReservePricesInvalid, reserve_values_unseal
from .scheduling import AdvanceReport, tender_advance, tenders_advance_due
from .status import bid_set_status
from .submission import LateBid, SealedSubmission, SubmissionResult, bid_submit, bid_withdraw

__all__ = [
    "AdvanceReport",
    "LateBid",
    "QuorumMissing",
    "ReservePricesInvalid",
    "SealedSubmission",
    "SubmissionResult",
    "TooEarly",
    "bid_close_tender",
    "bid_open_all",
    "bid_set_status",
    "bid_submit",
    "bid_withdraw",
    "key_share_submit",
    "opening_quorum_wait",
    "reserve_values_unseal",
    "tender_advance",
    "tenders_advance_due",
]

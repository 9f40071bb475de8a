"""Writes for bidding: submission, withdrawal, key shares, closing, opening, evaluation status.

The time-driven ones (closing, opening) are called the same way by the beat sweep, ETA tasks, the
official's "Open now" button and the open_overdue_tenders command.
"""

from .cures import CureWindowClosed, cure_request, cure_requests_lapse_due, cure_submit
from .envelopes import (
    TechnicalNotFinal,
    price_envelopes_open,
    technical_assess,
    technical_complaint_decide,
    technical_complaint_lodge,
    technical_publish,
)
from .opening import QuorumMissing, TooEarly, bid_close_tender, bid_open_all
from .quorum import key_share_submit, opening_quorum_wait
from .reserve_prices import ReservePricesInvalid, reserve_values_unseal
from .scheduling import AdvanceReport, tender_advance, tenders_advance_due
from .status import bid_set_status
from .submission import LateBid, SealedSubmission, SubmissionResult, bid_submit, bid_withdraw

__all__ = [
    "AdvanceReport",
    "CureWindowClosed",
    "LateBid",
    "QuorumMissing",
    "ReservePricesInvalid",
    "SealedSubmission",
    "SubmissionResult",
    "TechnicalNotFinal",
    "TooEarly",
    "bid_close_tender",
    "bid_open_all",
    "bid_set_status",
    "bid_submit",
    "bid_withdraw",
    "cure_request",
    "cure_requests_lapse_due",
    "cure_submit",
    "key_share_submit",
    "opening_quorum_wait",
    "price_envelopes_open",
    "reserve_values_unseal",
    "technical_assess",
    "technical_complaint_decide",
    "technical_complaint_lodge",
    "technical_publish",
    "tender_advance",
    "tenders_advance_due",
]

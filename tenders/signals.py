"""Signals other apps may receive for side concerns (after-the-fact only, no business rules: docs/architecture.md §8).

All are sent inside the service's transaction, after the change and its audit entry, so a receiver
that writes (e.g. `notify` for its own recipients) commits or rolls back with the event.

- tender_amended(sender=Tender, tender, version, changed_fields, actor) — `version` is the new
  TenderVersion; bidding notifies suppliers who have started a bid (tenders cannot see bids).
- tender_cancelled(sender=Tender, tender, actor, reason)
- tender_unsuccessful(sender=Tender, tender, actor, reason)
"""

from django.dispatch import Signal

tender_amended = Signal()
tender_cancelled = Signal()
tender_unsuccessful = Signal()

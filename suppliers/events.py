"""Signals other apps may receive for side concerns (sent inside the service's transaction, after
its audit entry, so a receiver's writes commit or roll back with the event; docs/architecture.md §8).

- sanction_recorded(sender=Sanction, sanction, actor) — bidding invalidates the debarred company's
  consortia on tenders still open for bids and tells their members.
"""

from django.dispatch import Signal

sanction_recorded = Signal()

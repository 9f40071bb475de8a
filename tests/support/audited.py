"""Test set-up that moves protected rows in the open.

The database refuses a change to a protected row (a tender's timeline, its sealed reserve prices, its
custodians) without an audit entry in the same transaction. Set-up that moves such rows directly uses
`audited`: one transaction around the change, closed by a `test.<action>` entry on the object, so the
log says plainly that a test, not a service, made the change.
"""

from contextlib import contextmanager

from django.db import transaction

from procurement.audit import audit_record


@contextmanager
def audited(action: str, obj, **data):
    """`with audited("set_times", tender, deadline=-2): ...` — the change and its entry, together."""
    with transaction.atomic():
        yield
        audit_record(actor=None, action=f"test.{action}", obj=obj, data=data)

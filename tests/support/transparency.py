"""Waiting for the transparency log in tests.

The integrator takes an entry only once every older transaction in the PostgreSQL cluster has
finished, and other test runs share the cluster: so tests wait until it has caught up.
"""

import time

from procurement.audit import transparency_head_sign, transparency_integrate
from procurement.models import AuditEntry


def integrate_all(timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        transparency_integrate()
        if not AuditEntry.objects.filter(leaf__isnull=True).exists():
            return
        if time.monotonic() > deadline:
            raise AssertionError("the transparency log did not integrate every committed entry in time")
        time.sleep(0.2)


def signed_head_of_everything():
    integrate_all()
    return transparency_head_sign()

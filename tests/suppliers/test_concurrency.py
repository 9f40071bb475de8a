"""Two vetting officers deciding on the same company at once: the row lock lets exactly one win."""

import threading

import pytest
from django.db import connection

from procurement.errors import InvalidTransition
from procurement.models import AuditEntry
from suppliers.models import Supplier
from suppliers.services import supplier_approve, supplier_reject
from tests.suppliers.conftest import company_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_admins_deciding_at_once_apply_one_decision_and_refuse_the_other(platform_admin):
    supplier = company_in(Supplier.Status.PENDING)
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(service, **kwargs):
        try:
            barrier.wait(timeout=10)
            service(supplier=supplier, actor=platform_admin, **kwargs)
            outcomes.append("applied")
        except InvalidTransition:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(supplier_approve,)),
        threading.Thread(target=decide, args=(supplier_reject,), kwargs={"reason": "Duplicate company."}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["applied", "refused"]
    supplier.refresh_from_db()
    assert supplier.status in (Supplier.Status.APPROVED, Supplier.Status.REJECTED)
    assert supplier.status_changes.exclude(from_status="").count() == 1
    assert AuditEntry.objects.filter(action__in=["supplier.approve", "supplier.reject"]).count() == 1

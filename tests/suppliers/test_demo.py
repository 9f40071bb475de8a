import pytest
from django.core.management import call_command

from suppliers.models import Supplier, SupplierDocument
from suppliers.selectors import supplier_eligibility

pytestmark = pytest.mark.django_db


def test_the_demo_companies_load_twice_without_duplicates(settings):
    settings.DEMO_DATA_ALLOWED = True
    from procurement import demo as accounts
    from suppliers import demo

    accounts.load(stdout=_Quiet())
    demo.load(stdout=_Quiet())
    demo.load(stdout=_Quiet())
    assert Supplier.objects.count() == 5
    assert SupplierDocument.objects.count() == 5
    divisions = {c.code[:2] for s in Supplier.objects.all() for c in s.classifications.all()}
    assert len(divisions) >= 4
    pending = Supplier.objects.get(members__user__email="pending@example.com")
    assert pending.status == Supplier.Status.PENDING
    debarred = Supplier.objects.get(members__user__email="debarred@example.com")
    assert not supplier_eligibility(supplier=debarred).eligible
    approved = Supplier.objects.get(members__user__email="supplier1@example.com")
    assert supplier_eligibility(supplier=approved).eligible
    call_command("check")


class _Quiet:
    def write(self, *args, **kwargs):
        pass

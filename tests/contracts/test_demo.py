"""The demo: one tender per evaluation method carried through to a contract signed by both parties."""

import io

import pytest
from django.core.management import call_command

from contracts.models import Award, Contract, Signature
from procurement.audit import transparency_log_verify
from tenders.models import Tender

pytestmark = pytest.mark.django_db


def test_the_demo_signs_a_contract_for_every_evaluation_method_and_loads_twice_without_duplicates():
    call_command("load_demo", stdout=io.StringIO())
    counts = (Contract.objects.count(), Award.objects.count(), Signature.objects.count())
    call_command("load_demo", stdout=io.StringIO())

    assert (Contract.objects.count(), Award.objects.count(), Signature.objects.count()) == counts
    contracted = Tender.objects.filter(status=Tender.Status.CONTRACTED)
    assert set(contracted.values_list("evaluation_method", flat=True)) == {
        "lowest_price",
        "floor_rate_reserve",
        "best_value",
    }
    for contract in Contract.objects.all():
        assert contract.status == Contract.Status.ACTIVE
        assert set(Signature.objects.filter(version__contract=contract).values_list("party", flat=True)) == {
            "buyer",
            "supplier",
        }
    assert Award.objects.filter(status=Award.Status.STANDSTILL).exists()
    assert transparency_log_verify().ok

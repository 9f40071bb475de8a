"""The whole demo committed under the audit triggers: every service path it takes passes them, each
entry records the values before and after, and a guarded record cannot be changed without one.

The demo is loaded once, committed (so the deferred triggers ran); the tests read it inside their own
transactions and force the deferred checks with SET CONSTRAINTS ALL IMMEDIATE where they try a change.
"""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from bidding.models import Bid, OpenedBid
from contracts.models import Award, Contract, ContractVersion, Signature
from procurement.models import AuditEntry
from tests.support.tamper import behind_the_services

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The whole demo, each service committing its own transaction under the triggers."""
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        call_command("flush", "--no-input", verbosity=0)


def refused(attempt) -> str:
    """Try a change and check it at once (as at commit); the refusal's message."""
    with pytest.raises(IntegrityError) as refusal, transaction.atomic():
        attempt()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return str(refusal.value)


def test_award_amount_contract_value_and_signatures_are_guarded(demo):
    award = Award.objects.filter(status=Award.Status.FINAL).first()
    contract = Contract.objects.filter(status=Contract.Status.ACTIVE).first()
    signature = Signature.objects.filter(version__contract=contract).first()
    attempts = {
        "contracts.award": lambda: Award.objects.filter(pk=award.pk).update(value=award.value - 1),
        "contracts.award ": lambda: Award.objects.filter(pk=award.pk).update(status=Award.Status.CANCELLED),
        "contracts.contract": lambda: Contract.objects.filter(pk=contract.pk).update(value=contract.value * 2),
        "contracts.contract ": lambda: ContractVersion.objects.filter(contract=contract).update(value=1),
        "contracts.contract  ": lambda: Signature.objects.filter(pk=signature.pk).delete(),
    }
    for object_type, attempt in attempts.items():
        assert f"unaudited change to {object_type.strip()}" in refused(attempt)
    assert Signature.objects.filter(pk=signature.pk).exists()


def test_every_service_path_of_the_demo_commits_under_the_triggers(demo):
    # Opening, evaluation of all three methods, awards, standstill, final, contracts signed by both.
    assert Contract.objects.filter(status=Contract.Status.ACTIVE).count() >= 3
    assert Bid.objects.filter(status=Bid.Status.NOT_AWARDED).exists()
    assert AuditEntry.objects.filter(action="evaluation.calculate").exists()  # best value's committee


def test_opening_records_each_bid_it_moved_with_before_and_after(demo):
    entry = AuditEntry.objects.filter(action="bid.open_all").order_by("seq").first()
    moved = entry.data["related"]["bidding.bid"]
    assert moved
    for bid_id, changes in moved.items():
        assert changes["status"]["from"] == "submitted"
        assert changes["status"]["to"] in {"opened", "disqualified"}
        assert changes["outcome"]["to"] == OpenedBid.objects.get(bid_id=bid_id).outcome


@pytest.mark.parametrize(
    ("action", "field", "before", "after"),
    [
        ("award.propose", "status", None, "proposed"),
        ("award.standstill", "status", "proposed", "standstill"),
        ("award.finalise", "status", "standstill", "final"),
        ("contract.activate", "status", "draft", "active"),
        ("tender.closed", "status", "published", "closed"),
        ("tender.opened", "status", "closed", "opened"),
        ("tender.awarded", "status", "evaluated", "awarded"),
        ("bid.qualified", "status", "opened", "qualified"),
        ("bid.submit", "status", None, "submitted"),
    ],
)
def test_key_transitions_record_the_values_before_and_after(demo, action, field, before, after):
    entry = AuditEntry.objects.filter(action=action).order_by("seq").first()
    assert entry is not None, action
    assert entry.data["changes"][field] == {"from": before, "to": after}


def test_an_award_proposal_records_its_amount_and_a_signature_the_parties_who_signed(demo):
    proposed = AuditEntry.objects.filter(action="award.propose").order_by("seq").first()
    award = Award.objects.get(pk=proposed.object_id)
    assert Decimal(proposed.data["changes"]["value"]["to"]) == award.value
    signatures = [e.data["changes"]["signatures"] for e in AuditEntry.objects.filter(action="contract.sign")]
    assert {"from": [], "to": ["buyer"]} in signatures or {"from": [], "to": ["supplier"]} in signatures
    assert any(len(s["to"]) == 2 for s in signatures)


def test_an_owner_can_still_alter_the_record_behind_the_services_and_no_entry_says_so(demo):
    # What the verifiers exist for: the owner role can switch the triggers off; the application role
    # cannot (tests/procurement/test_database_roles.py).
    award = Award.objects.filter(status=Award.Status.FINAL).first()
    with behind_the_services():
        Award.objects.filter(pk=award.pk).update(value=award.value - 1)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert Award.objects.get(pk=award.pk).value == award.value - 1


def test_no_award_report_of_the_demo_shows_a_bid_submitted_after_its_deadline(demo):
    from contracts.reports import award_report_data
    from tenders.models import Tender

    tenders = Tender.objects.filter(opening_record__isnull=False)
    assert tenders.count() >= 5
    for tender in tenders:
        report = award_report_data(tender, language="en")
        deadline = next(e["at"] for e in report["timeline"] if e["event"] == "Submission deadline")
        assert report["bidders"]
        for bidder in report["bidders"]:
            assert bidder["submitted_at"] <= deadline, (tender.title, bidder["supplier"])
        submissions = [e for e in report["audit_trail"] if e["action"] in ("bid.submit", "bid.replace")]
        assert submissions, tender.title
        for entry in submissions:
            assert entry["at"] <= deadline, (tender.title, entry["seq"])
        # The entry that moved the deadline says so, with the values before and after.
        moved = [e for e in report["audit_trail"] if e["action"] == "demo.backdate"]
        assert moved, tender.title

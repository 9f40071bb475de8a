import pytest
from django.db import DatabaseError, transaction

from procurement import transparency
from procurement.audit import audit_entry_bytes, audit_record
from procurement.models import AuditEntry


@pytest.fixture
def three_entries(official):
    return [
        audit_record(actor=official, action="test.step", object_type="demo", object_id=n, data={"n": n})
        for n in range(3)
    ]


def test_entries_take_increasing_numbers_and_hash_their_own_content(three_entries):
    assert [e.seq for e in three_entries] == sorted(e.seq for e in three_entries)
    assert len({e.seq for e in three_entries}) == 3
    for entry in AuditEntry.objects.filter(seq__in=[e.seq for e in three_entries]):
        assert entry.hash == transparency.leaf_hash(audit_entry_bytes(entry)).hex()


def test_the_leaf_hash_covers_the_actor_id(three_entries, official):
    entry = AuditEntry.objects.get(seq=three_entries[0].seq)
    entry.actor_id = official.pk + 1000
    assert transparency.leaf_hash(audit_entry_bytes(entry)).hex() != three_entries[0].hash


def test_it_records_who_did_what_to_which_object(official):
    entry = audit_record(actor=official, action="account.role_change", obj=official, data={"to": "official"})
    entry.refresh_from_db()
    assert (entry.actor, entry.actor_label, entry.object_type, entry.object_id) == (
        official,
        official.email,
        "procurement.user",
        str(official.pk),
    )
    assert entry.data == {"to": "official"}


def test_the_database_refuses_to_update_an_entry(three_entries):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=three_entries[0].pk).update(action="forged")


def test_the_database_refuses_to_delete_an_entry(three_entries):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=three_entries[1].pk).delete()


def test_an_entry_written_in_a_rolled_back_transaction_leaves_no_trace(official):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=official, action="test.doomed", obj=official)
        raise RuntimeError("the business change failed")
    assert not AuditEntry.objects.filter(action="test.doomed").exists()

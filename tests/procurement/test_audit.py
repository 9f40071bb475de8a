import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from procurement.audit import GENESIS_HASH, audit_record, audit_verify_chain
from procurement.models import AuditEntry


def _tamper(sql: str, params=()) -> None:
    """What a rogue DBA could do: switch triggers off for the session and rewrite history."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET session_replication_role = DEFAULT")


@pytest.fixture
def three_entries(official):
    return [
        audit_record(actor=official, action="test.step", object_type="demo", object_id=n, data={"n": n})
        for n in range(3)
    ]


def test_entries_are_chained_from_the_genesis_hash(three_entries):
    first, second, third = three_entries
    assert [e.seq for e in three_entries] == [first.seq, first.seq + 1, first.seq + 2]
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert AuditEntry.objects.order_by("seq").first().prev_hash == GENESIS_HASH
    assert audit_verify_chain().ok


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


def test_verify_command_exits_zero_on_an_intact_chain(three_entries, capsys):
    call_command("verify_audit_log")
    assert "intact: 3 entries" in capsys.readouterr().out


def test_verify_command_names_the_first_altered_entry(three_entries):
    target = three_entries[1]
    _tamper("UPDATE procurement_auditentry SET data = %s WHERE seq = %s", ['{"n": 99}', target.seq])
    with pytest.raises(CommandError, match=f"#{target.seq}: entry #{target.seq} was altered"):
        call_command("verify_audit_log")


def test_verify_detects_a_rehashed_entry_because_the_next_link_breaks(three_entries):
    """Recomputing the altered row's own hash is not enough: the following entry no longer links."""
    first, _second, _ = three_entries
    _tamper("UPDATE procurement_auditentry SET hash = %s WHERE seq = %s", ["f" * 64, first.seq])
    result = audit_verify_chain()
    assert not result.ok
    assert result.first_broken_seq == first.seq


def test_verify_detects_a_deleted_entry(three_entries):
    _tamper("DELETE FROM procurement_auditentry WHERE seq = %s", [three_entries[1].seq])
    result = audit_verify_chain()
    assert (result.ok, result.first_broken_seq, result.problem) == (
        False,
        three_entries[1].seq,
        f"entry #{three_entries[1].seq} is missing",
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_produce_one_gapless_valid_chain(official):
    errors = []

    def write(n):
        try:
            for i in range(10):
                audit_record(actor=None, action="test.concurrent", object_type="thread", object_id=f"{n}-{i}")
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = audit_verify_chain()
    assert result.ok
    assert AuditEntry.objects.filter(action="test.concurrent").count() == 80

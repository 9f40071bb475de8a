"""The commit-time guard asks one question per changed row — did an audit entry of this transaction
name it? — through a coverage table that only the audit log's own trigger writes (procurement
migration 0009, docs/architecture.md §3.4). These tests try to cover a change without an entry:
writing coverage directly as the application role, covering in one transaction and changing in
another, naming one key and changing another, a forged `xid` column, a rolled-back savepoint.
"""

import json

import psycopg2
import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from bidding.models import Bid
from procurement.audit import audit_coverage_prune, audit_record
from tests.bidding.helpers import opened_tender
from tests.procurement.test_database_roles import _connect_as

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def app_role():
    name = connection.settings_dict["NAME"]
    owner, app = f"{name}_owner", f"{name}_app"
    call_command("database_roles", "create", owner=owner, app=app)
    call_command("database_roles", "grant", app=app)
    conn = _connect_as(app)
    yield conn
    conn.close()


@pytest.fixture
def bids():
    tender, _record, _users = opened_tender()
    return list(Bid.objects.filter(tender=tender).order_by("pk").values_list("pk", flat=True))


def _entry(cursor, *, object_type="t", object_id="1", related=None, xid_column=None):
    """Append an audit entry by hand, as any holder of the application role could."""
    cursor.execute("SELECT nextval('procurement_auditentry_seq'), pg_current_xact_id()::text::bigint")
    seq, xid = cursor.fetchone()
    cursor.execute(
        "INSERT INTO procurement_auditentry (seq, at, actor_label, action, object_type, object_id, data, xid, hash)"
        " VALUES (%s, clock_timestamp(), 'system', 'test.hand', %s, %s, %s, %s, %s)",
        [seq, object_type, object_id, json.dumps({"related": related or {}}), xid_column or xid, f"{seq:064x}"],
    )


def _status_change(cursor, bid_id, status="disqualified"):
    cursor.execute("UPDATE bidding_bid SET status = %s WHERE id = %s", [status, bid_id])


def _status(bid_id):
    return Bid.objects.get(pk=bid_id).status


def test_the_application_role_cannot_write_coverage_or_fire_the_trigger_by_hand(app_role, bids):
    attempts = [
        "INSERT INTO procurement_auditcoverage"
        f" VALUES (pg_current_xact_id()::text::bigint, 'bidding.bid', '{bids[0]}')",
        "UPDATE procurement_auditcoverage SET xid = pg_current_xact_id()::text::bigint",
        "DELETE FROM procurement_auditcoverage",
        "TRUNCATE procurement_auditcoverage",
        "ALTER TABLE procurement_auditcoverage DISABLE TRIGGER ALL",
        "ALTER TABLE procurement_auditentry DISABLE TRIGGER procurement_auditentry_cover",
        "CREATE TRIGGER forge AFTER UPDATE ON bidding_bid FOR EACH ROW EXECUTE FUNCTION procurement_audit_cover()",
        "CREATE FUNCTION procurement_forge() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    ]
    outcomes = {}
    for statement in attempts:
        try:
            with app_role.cursor() as cursor:
                cursor.execute(statement)
            outcomes[statement] = "allowed"
        except psycopg2.Error as refused:
            outcomes[statement] = refused.pgcode
    assert outcomes == dict.fromkeys(attempts, "42501")
    # A trigger function cannot be called as a plain function either.
    with (
        pytest.raises(psycopg2.Error, match="trigger functions can only be called as triggers"),
        app_role.cursor() as cursor,
    ):
        cursor.execute("SELECT procurement_audit_cover()")
    # And the change those attempts were for is still refused.
    app_role.autocommit = False
    with pytest.raises(psycopg2.IntegrityError, match=rf"unaudited change to bidding\.bid {bids[0]} refused"):
        with app_role.cursor() as cursor:
            _status_change(cursor, bids[0])
        app_role.commit()
    app_role.rollback()
    assert _status(bids[0]) == Bid.Status.OPENED


def test_the_application_role_changes_a_row_with_an_entry_naming_it(app_role, bids):
    app_role.autocommit = False
    with app_role.cursor() as cursor:
        _status_change(cursor, bids[0])
        _entry(cursor, related={"bidding.bid": {str(bids[0]): {"status": {"from": "opened", "to": "x"}}}})
    app_role.commit()
    assert _status(bids[0]) == Bid.Status.DISQUALIFIED


def test_coverage_from_another_transaction_does_not_count(app_role, bids):
    app_role.autocommit = False
    with app_role.cursor() as cursor:
        _entry(cursor, object_type="bidding.bid", object_id=str(bids[0]))
    app_role.commit()
    with pytest.raises(psycopg2.IntegrityError, match="unaudited change"):
        with app_role.cursor() as cursor:
            _status_change(cursor, bids[0])
        app_role.commit()
    app_role.rollback()
    assert _status(bids[0]) == Bid.Status.OPENED


def test_an_entry_whose_xid_column_names_another_transaction_covers_only_its_own(app_role, bids):
    """The writer supplies the entry's `xid` column; coverage goes by the transaction that inserts it.
    An entry committed elsewhere, claiming the victim transaction's id, covers nothing there."""
    app_role.autocommit = False
    with app_role.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        victim_xid = cursor.fetchone()[0]
        _status_change(cursor, bids[0])
    forger = _connect_as(connection.settings_dict["USER"] or "postgres")
    try:
        with forger.cursor() as cursor:
            _entry(cursor, object_type="bidding.bid", object_id=str(bids[0]), xid_column=victim_xid)
    finally:
        forger.close()
    with pytest.raises(psycopg2.IntegrityError, match="unaudited change"):
        app_role.commit()
    assert _status(bids[0]) == Bid.Status.OPENED


def test_naming_one_key_does_not_cover_another_of_the_same_or_another_type(bids):
    first, second = bids[0], bids[1]
    with pytest.raises(IntegrityError, match=rf"bidding\.bid {second} refused"), transaction.atomic():
        Bid.objects.filter(pk__in=[first, second]).update(status=Bid.Status.DISQUALIFIED)
        audit_record(
            actor=None,
            action="test.partial",
            object_type="contracts.award",
            object_id=str(second),
            related={"bidding.bid": {first: {"status": ("opened", "disqualified")}}},
        )
    assert {_status(first), _status(second)} == {Bid.Status.OPENED}


def test_an_entry_rolled_back_to_a_savepoint_takes_its_coverage_with_it(bids):
    with pytest.raises(IntegrityError, match="unaudited change"), transaction.atomic():
        Bid.objects.filter(pk=bids[0]).update(status=Bid.Status.DISQUALIFIED)
        try:
            with transaction.atomic():
                audit_record(actor=None, action="test.undone", object_type="bidding.bid", object_id=str(bids[0]))
                raise RuntimeError("undo the entry")
        except RuntimeError:
            pass
    assert _status(bids[0]) == Bid.Status.OPENED


def test_related_keys_as_a_list_still_cover_as_before(app_role, bids):
    """The old guard's `?` matched a list's strings too; entries written that way keep working."""
    app_role.autocommit = False
    with app_role.cursor() as cursor:
        _status_change(cursor, bids[0])
        _status_change(cursor, bids[1])
        _entry(cursor, related={"bidding.bid": [str(bids[0]), str(bids[1])]})
    app_role.commit()
    assert {_status(bids[0]), _status(bids[1])} == {Bid.Status.DISQUALIFIED}


def test_pruning_keeps_the_coverage_of_running_transactions(app_role, bids):
    app_role.autocommit = False
    with app_role.cursor() as cursor:
        _entry(cursor, object_type="bidding.bid", object_id=str(bids[0]))
    # Another session prunes while that transaction is still open.
    audit_coverage_prune()
    with app_role.cursor() as cursor:
        _status_change(cursor, bids[0])
    app_role.commit()
    assert _status(bids[0]) == Bid.Status.DISQUALIFIED
    # Once it has finished, its rows go.
    audit_coverage_prune()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM procurement_auditcoverage WHERE object_type = 'bidding.bid' AND object_id = %s",
            [str(bids[0])],
        )
        assert cursor.fetchone()[0] == 0

"""The database protects the record: the application's role cannot rewrite, remove or unprotect the log.

The suite itself runs as the database superuser (pytest-django must create the test database);
this test gives the test database the production layout with `manage.py database_roles` — an
owner role that owns every table, an application role with the privileges `make run` and
docker-compose give it — and then connects as the application role, as the portal does.
"""

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from procurement.audit import audit_record
from tests.support.transparency import signed_head_of_everything

pytestmark = pytest.mark.django_db(transaction=True)


def _connect_as(role: str):
    settings = connection.settings_dict
    conn = psycopg2.connect(
        dbname=settings["NAME"], user=role, host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432
    )
    conn.autocommit = True
    return conn


@pytest.fixture
def app_role():
    name = connection.settings_dict["NAME"]
    owner, app = f"{name}_owner", f"{name}_app"
    call_command("database_roles", "create", owner=owner, app=app)
    call_command("database_roles", "grant", app=app)
    conn = _connect_as(app)
    yield conn
    conn.close()


ATTEMPTS = [
    "UPDATE procurement_auditentry SET action = 'forged'",
    "DELETE FROM procurement_auditentry",
    "TRUNCATE procurement_auditentry CASCADE",
    "ALTER TABLE procurement_auditentry DISABLE TRIGGER ALL",
    "ALTER TABLE procurement_auditentry DISABLE TRIGGER procurement_auditentry_append_only",
    "ALTER TABLE procurement_auditentry ADD COLUMN note text",
    "DROP TRIGGER procurement_auditentry_append_only ON procurement_auditentry",
    "SET session_replication_role = replica",
    "UPDATE procurement_logleaf SET leaf_hash = repeat('0', 64)",
    "DELETE FROM procurement_logleaf",
    "TRUNCATE procurement_logleaf",
    "DELETE FROM procurement_treehead",
    "TRUNCATE procurement_treehead",
    "SELECT setval('procurement_auditentry_seq', 1)",
]


def test_the_application_role_cannot_rewrite_remove_or_unprotect_the_log(app_role):
    audit_record(actor=None, action="test.kept", object_type="t", object_id="1")
    signed_head_of_everything()
    outcomes = {}
    for statement in ATTEMPTS:
        try:
            with app_role.cursor() as cursor:
                cursor.execute(statement)
            outcomes[statement] = "allowed"
        except psycopg2.Error as refused:
            outcomes[statement] = refused.pgcode
    assert outcomes == dict.fromkeys(ATTEMPTS, "42501")  # insufficient_privilege, every one
    with app_role.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM procurement_auditentry WHERE action = 'test.kept'")
        assert cursor.fetchone()[0] == 1
        cursor.execute("SELECT count(*) FROM procurement_logleaf")
        assert cursor.fetchone()[0] >= 1


def test_the_application_role_appends_entries_and_does_its_ordinary_work(app_role):
    with app_role.cursor() as cursor:
        cursor.execute("SELECT nextval('procurement_auditentry_seq'), clock_timestamp(), pg_current_xact_id()")
        seq = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO procurement_auditentry (seq, at, actor_label, action, object_type, object_id, data, xid, hash)"
            " VALUES (%s, clock_timestamp(), 'system', 'test.app', 't', '1', '{}', 0, %s)",
            [seq, f"{seq:064x}"],
        )
        cursor.execute("UPDATE procurement_user SET language = language")
        cursor.execute("SELECT count(*) FROM procurement_auditentry WHERE seq = %s", [seq])
        assert cursor.fetchone()[0] == 1

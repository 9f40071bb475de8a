"""Changing the record behind the services' back, as someone holding the database owner's rights could.

Tests of the verifiers need a record that was altered without an audit entry; the database refuses
that to the application (procurement migrations 0004, 0005), so these tests switch the triggers off
for their one transaction, which only a superuser can (the application role cannot).
"""

from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def behind_the_services():
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        yield

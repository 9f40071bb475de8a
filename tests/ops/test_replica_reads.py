"""Public pages read from a streaming replica; whoever just acted reads the primary (issue 16 item 8).

A private primary and a real streaming replica of it (pg_basebackup -R), one gunicorn with
DATABASE_URL and DATABASE_REPLICA_URL. The replica's replay is paused, so anything written to the
primary afterwards is visible only there: what each client sees tells which database served it.
"""

import html
import time

import pytest
from django.conf import settings
from django.db import connection

from tests.bidding.helpers import published_tender
from tests.support.webnode import Browser, WebNode

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-Passphrase-77"


def test_public_pages_read_the_replica_and_a_client_that_wrote_reads_the_primary(private_postgres, supplier_user):
    tender = published_tender(title="Original title of the notice")
    supplier_user.set_password(PASSWORD)
    supplier_user.save()
    db = connection.settings_dict
    source = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    primary = private_postgres()
    primary_url = primary.clone_database(source_url=source, dbname="portal")
    replica = primary.standby()
    try:
        web = WebNode(
            database_url=primary_url,
            redis_url=settings.CELERY_BROKER_URL,
            settings_module="tests.ops.web_settings",
            DATABASE_REPLICA_URL=replica.url("portal"),
            REPLICA_PIN_SECONDS=4,
        ).start()
        try:
            page = f"{web.url}/tenders/{tender.pk}/"

            def title_seen(browser) -> str:
                body = html.unescape(browser.get(page).body.decode())
                return "new" if "Corrected title" in body else "old" if "Original title" in body else "none"

            deadline = time.monotonic() + 30
            while replica.sql("SELECT count(*) FROM tenders_tender WHERE id = %s", [tender.pk], dbname="portal") != [
                (1,)
            ]:
                assert time.monotonic() < deadline
                time.sleep(0.2)
            replica.sql("SELECT pg_wal_replay_pause()")
            primary.sql(
                "UPDATE tenders_tender SET title = 'Corrected title of the notice' WHERE id = %s",
                [tender.pk],
                dbname="portal",
            )

            anonymous, sam = Browser(), Browser()
            assert title_seen(anonymous) == "old"  # the replica, which has not replayed the change
            signed_in = sam.post(f"{web.url}/accounts/login/", {"login": supplier_user.email, "password": PASSWORD})
            assert signed_in.status == 200  # followed the redirect to the dashboard
            assert any(c.name == "sessionid" for c in sam.jar)
            assert title_seen(sam) == "new"  # signing in was a write: Sam reads the primary for a while
            assert title_seen(anonymous) == "old"
            time.sleep(5)  # the pin has expired
            assert title_seen(sam) == "old"

            replica.sql("SELECT pg_wal_replay_resume()")
            deadline = time.monotonic() + 30
            while title_seen(anonymous) != "new":
                assert time.monotonic() < deadline, "the replica never caught up"
                time.sleep(0.2)
        finally:
            web.stop()
    finally:
        replica.stop(mode="immediate")

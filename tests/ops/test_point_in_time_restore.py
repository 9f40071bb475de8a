"""Rehearsal: restore the portal's database to a moment between two bids (issue 16 item 7).

A private cluster archives its WAL; `make backup` (scripts/pitr.py) takes a base backup; two bids
arrive through a real gunicorn, a moment noted between them; `make restore` rebuilds a new cluster
up to that moment. The first bid is there, the second is not, the transparency log verifies — also
against the head published before the moment — and the restored bid is still only ciphertext.
"""

import json
import os
import re
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.authtoken.models import Token

from tests.bidding.helpers import bidder, published_tender
from tests.conftest import ROOT
from tests.sealing import api_body
from tests.support.pgcluster import PrivatePostgres, free_port
from tests.support.webnode import WebNode, http

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PRICES = ("93817265", "91726354")  # digits that appear nowhere else in the database


def manage(database_url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "procurement.test_settings", "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=check
    )


def make(cluster: PrivatePostgres, target: str, **env: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "BACKUP_DATABASE_URL": cluster.url("portal"),
        "BACKUP_DIR": str(cluster.archive.parent),
        **env,
    }
    return subprocess.run(["make", "-s", target], cwd=ROOT, env=env, capture_output=True, text=True, check=True)


# One Django start each (they are the slow part): sign a head, then save it for a later check.
SIGN_AND_SAVE = (
    "from django.core.management import call_command; from procurement.audit import transparency_head_sign; "
    "print('tree size', transparency_head_sign().tree_size); call_command('verify_transparency_log', save={path!r})"
)


def signed_size(output: str) -> int:
    return int(re.search(r"^tree size (\d+)$", output, re.MULTILINE).group(1))


def test_a_restore_to_a_moment_between_two_bids_keeps_the_first_and_not_the_second(private_postgres, tmp_path):
    tender = published_tender()
    users = [bidder(), bidder()]
    tokens = [Token.objects.create(user=user).key for user in users]
    bodies = [
        json.dumps(api_body(tender, user.supplier_membership.supplier, price=price)).encode()
        for user, price in zip(users, PRICES, strict=True)
    ]
    db = connection.settings_dict
    source = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    cluster = private_postgres(archive=True)
    portal_url = cluster.clone_database(source_url=source, dbname="portal")
    assert "Base backup" in make(cluster, "backup").stdout

    web = WebNode(
        database_url=portal_url, redis_url=settings.CELERY_BROKER_URL, settings_module="tests.ops.web_settings"
    )
    web.start()
    try:

        def bid(n: int):
            headers = {
                "Authorization": f"Token {tokens[n]}",
                "Content-Type": "application/json",
                "Idempotency-Key": str(uuid.uuid4()),
            }
            return http("POST", f"{web.url}/api/v1/bids/", body=bodies[n], headers=headers)

        assert bid(0).status == 201
        head_file = tmp_path / "head-before.json"
        size_before = signed_size(manage(portal_url, "shell", "-c", SIGN_AND_SAVE.format(path=str(head_file))).stdout)
        (moment,) = cluster.sql("SELECT clock_timestamp()", dbname="portal")[0]
        time.sleep(0.5)
        assert bid(1).status == 201
    finally:
        web.stop()
    after = SIGN_AND_SAVE.format(path=str(tmp_path / "head-after.json"))
    assert signed_size(manage(portal_url, "shell", "-c", after).stdout) > size_before
    # Close the WAL segment and wait until the archive has it (the restore reads only the archive).
    (segment,) = cluster.sql("SELECT pg_walfile_name(pg_switch_wal())", dbname="portal")[0]
    deadline = time.monotonic() + 30
    while cluster.sql("SELECT last_archived_wal FROM pg_stat_archiver")[0][0] < segment:
        assert time.monotonic() < deadline, "WAL was not archived"
        time.sleep(0.1)

    restored = PrivatePostgres(cluster.root, name="restored", port=free_port())
    restore = make(
        cluster,
        "restore",
        TARGET_TIME=moment.isoformat(),
        RESTORE_INTO=str(restored.data),
        RESTORE_PORT=str(restored.port),
    )
    assert "Promoted" in restore.stdout
    try:
        restored_url = restored.url("portal")
        bidders = restored.sql(
            "SELECT m.user_id FROM bidding_bid b JOIN suppliers_suppliermember m ON m.supplier_id = b.supplier_id "
            "WHERE b.tender_id = %s",
            [tender.pk],
            dbname="portal",
        )
        assert [row[0] for row in bidders] == [users[0].pk]
        # The log verifies, and is consistent with the head published before the moment.
        # (call_command raises on a failed check, and the shell then exits non-zero: check=True.)
        manage(restored_url, "verify_transparency_log", "--against", str(head_file))
        # Still sealed: ciphertext only, no share of the tender key released, the price nowhere.
        assert restored.sql("SELECT count(*) FROM bidding_bidversion", dbname="portal") == [(1,)]
        assert restored.sql("SELECT count(*) FROM bidding_keysharerelease", dbname="portal") == [(0,)]
        assert restored.sql("SELECT status FROM bidding_bid", dbname="portal") == [("submitted",)]
        dump = subprocess.run(
            ["/usr/bin/env", "pg_dump", "-d", restored_url], capture_output=True, text=True, check=True
        ).stdout
        assert "bidding_bidversion" in dump
        assert PRICES[0] not in dump
    finally:
        restored.stop(mode="immediate")

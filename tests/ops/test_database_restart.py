"""Drill: PostgreSQL restarts under a running portal (issue 16 item 5).

A private cluster holds a copy of the test database; a real gunicorn (two workers, persistent
connections, production error handling) serves the portal from it. While the cluster is down
every request that needs the database answers 503 with Retry-After — pages in HTML, the API in its
JSON error shape — never a bare 500; once it is back the same processes serve again (no restart),
a bid retried with its idempotency key is accepted exactly once, and the 503s were counted for the
health history.
"""

import json
import time
import uuid

import pytest
import redis
from django.conf import settings
from django.db import connection
from rest_framework.authtoken.models import Token

from procurement import healthlog
from tests.bidding.helpers import bidder, published_tender
from tests.sealing import api_body
from tests.support.webnode import WebNode, http

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_database_restart_answers_503_with_retry_after_and_the_portal_recovers_by_itself(private_postgres):
    tender = published_tender()
    users = [bidder(), bidder()]
    tokens = [Token.objects.create(user=user).key for user in users]
    bodies = [json.dumps(api_body(tender, user.supplier_membership.supplier)).encode() for user in users]
    db = connection.settings_dict
    source = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    cluster = private_postgres()
    database_url = cluster.clone_database(source_url=source, dbname="portal")
    prefix = f"drill-{uuid.uuid4().hex[:8]}"
    web = WebNode(
        database_url=database_url,
        redis_url=settings.CELERY_BROKER_URL,
        settings_module="tests.ops.web_settings",
        CACHE_KEY_PREFIX=prefix,
        CONN_MAX_AGE=60,
    ).start()
    try:

        def bid(n: int, key: str):
            headers = {
                "Authorization": f"Token {tokens[n]}",
                "Content-Type": "application/json",
                "Idempotency-Key": key,
            }
            return http("POST", f"{web.url}/api/v1/bids/", body=bodies[n], headers=headers)

        first_key, second_key = str(uuid.uuid4()), str(uuid.uuid4())
        assert bid(0, first_key).status == 201
        assert http("GET", f"{web.url}/tenders/").status == 200

        cluster.stop()
        answers = [
            http("GET", f"{web.url}/tenders/"),
            http("GET", f"{web.url}/tenders/{tender.pk}/"),
            http("GET", f"{web.url}/api/v1/tenders/"),
            bid(1, second_key),
        ]
        for _ in range(6):  # every gunicorn worker and thread meets the dead connection
            answers.append(http("GET", f"{web.url}/tenders/"))
        assert {a.status for a in answers} == {503}
        assert all(a.headers.get("Retry-After") == str(settings.DATABASE_UNAVAILABLE_RETRY_AFTER) for a in answers)
        assert "text/html" in answers[0].headers["Content-Type"]
        assert "503" in answers[0].body.decode()
        api = json.loads(answers[3].body)
        assert api["code"] == "temporarily_unavailable"

        cluster.start()
        deadline = time.monotonic() + 30
        statuses = []
        while time.monotonic() < deadline:
            statuses.append(http("GET", f"{web.url}/tenders/").status)
            if statuses[-4:] == [200] * 4:
                break
            time.sleep(0.2)
        assert statuses[-4:] == [200] * 4
        assert 500 not in statuses
        retried = bid(1, second_key)
        assert retried.status == 201
        assert bid(1, second_key).status == 200  # the same receipt again, no second bid
        assert bid(0, first_key).status == 200
        count = cluster.sql("SELECT count(*) FROM bidding_bid WHERE tender_id = %s", [tender.pk], dbname="portal")
        assert count == [(2,)]
    finally:
        web.stop()

    # The web counted its 503s for the health history (procurement.healthlog).
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    counted = sum(int(client.get(k)) for k in client.keys(f"{prefix}:1:{healthlog.WEB_KEY.format(minute='*')}"))
    assert counted >= len(answers)

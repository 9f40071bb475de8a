"""Opening by a real Celery worker: on time, exactly once, after a crash, and after an outage.

Each test runs `celery worker` as a subprocess against the test database (transactional_db) and a
private redis-server it owns, and sends the beat sweep's message itself (there is one beat in
production; a test needs none).
"""

import time

import psycopg2
import pytest
from django.db import connection

from bidding import selectors
from bidding.models import Bid, OpenedBid, OpeningRecord, TenderClosing
from bidding.tasks import tender_advance, tenders_sweep
from procurement.models import AuditEntry
from tenders.models import Tender
from tests.bidding.helpers import bidder, published_tender, set_times, submit
from tests.conftest import wait_until
from tests.sealing import shares_release

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def tender_status(tender_id):
    return Tender.objects.filter(pk=tender_id).values_list("status", flat=True).first()


def test_a_real_worker_closes_at_the_deadline_and_opens_at_the_opening_time(
    private_redis, use_broker, celery_worker_factory
):
    private_redis.start()
    use_broker(private_redis.url)
    tender = published_tender()
    for price in ("95000000", "90000000"):
        submit(tender, bidder(), price=price)
    set_times(tender, deadline=4, opening=7)
    celery_worker_factory(private_redis.url)
    tenders_sweep.apply_async()  # one beat tick: schedules the prompt ETA tasks
    wait_until(lambda: tender_status(tender.pk) == Tender.Status.CLOSED, timeout=30)
    closing = TenderClosing.objects.get(tender=tender)
    assert closing.closed_at >= Tender.objects.get(pk=tender.pk).submission_deadline
    shares_release(tender)  # a custodian, told at closing; the worker released the platform's share
    wait_until(lambda: tender_status(tender.pk) == Tender.Status.OPENED, timeout=30)
    record = OpeningRecord.objects.get(tender=tender)
    assert record.opened_at >= Tender.objects.get(pk=tender.pk).opening_at
    assert record.opened_by is None
    assert record.valid_count == 2
    # Prompt: within a few seconds of the opening time, not at the next 30-second sweep.
    assert (record.opened_at - Tender.objects.get(pk=tender.pk).opening_at).total_seconds() < 10


def test_the_sweep_catches_up_when_the_worker_was_down_at_the_deadline_and_opening(
    private_redis, use_broker, celery_worker_factory
):
    private_redis.start()
    use_broker(private_redis.url)
    tender = published_tender()
    submit(tender, bidder(), price="95000000")
    set_times(tender, deadline=-7200, opening=-3600)  # nothing ran for two hours
    shares_release(tender)  # a custodian released its share meanwhile
    tenders_sweep.apply_async()  # queued while no worker runs
    celery_worker_factory(private_redis.url)
    wait_until(lambda: tender_status(tender.pk) == Tender.Status.OPENED, timeout=30)
    assert OpeningRecord.objects.filter(tender=tender).count() == 1
    assert TenderClosing.objects.filter(tender=tender).count() == 1


def raw_connection():
    settings = connection.settings_dict
    return psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
    )


def test_a_worker_killed_mid_opening_is_replaced_and_the_opening_completes_once(
    private_redis, use_broker, celery_worker_factory
):
    """The opening transaction dies with the worker; acks_late gives the message back to Redis and the
    next worker opens everything, once.

    To stop the first worker at a known point, the test holds a row lock on the 12th bid: opening
    moves bids to `opened` in batches of 4 in bid order (worker_settings), so it stores two batches
    and then waits on that row in the third — progress shows 8 of 24 — and the worker is killed
    (SIGKILL) there. The workers run with
    tests.bidding.worker_settings, where Redis returns an unacknowledged message after 5 s (an hour
    in production, where the 30-second sweep picks the tender up long before).
    """
    private_redis.start()
    use_broker(private_redis.url)
    tender = published_tender()
    for i in range(24):
        submit(tender, bidder(), price=str(90_000_000 + i))
    set_times(tender, deadline=-5, opening=-1)
    shares_release(tender)
    bids = list(Bid.objects.filter(tender=tender).order_by("pk").values_list("pk", flat=True))
    blocker = raw_connection()
    try:
        cursor = blocker.cursor()
        cursor.execute("SELECT id FROM bidding_bid WHERE id = %s FOR UPDATE", [bids[11]])

        first = celery_worker_factory(private_redis.url, settings_module="tests.bidding.worker_settings")
        tender_advance.apply_async(args=[tender.pk])
        key = selectors.progress_key(tender.pk)
        progress = wait_until(
            lambda: (first.cache_get(key) or {}).get("done") == 8 and first.cache_get(key), timeout=60
        )
        assert progress == {"done": 8, "total": 24}
        time.sleep(0.5)  # it is stuck on the 12th bid's row, in the third batch
        first.kill()
    finally:
        blocker.rollback()  # the dead worker's transaction now fails and rolls back
        blocker.close()  # also when the test failed: an open lock would hang the flush after it
    assert not OpeningRecord.objects.filter(tender=tender).exists()

    celery_worker_factory(private_redis.url, settings_module="tests.bidding.worker_settings")
    wait_until(lambda: tender_status(tender.pk) == Tender.Status.OPENED, timeout=60)
    record = OpeningRecord.objects.get(tender=tender)
    assert record.bid_count == 24
    assert record.valid_count == 24
    assert OpenedBid.objects.filter(opening__tender=tender).count() == 24
    assert sorted(OpenedBid.objects.filter(opening=record).values_list("rank", flat=True)) == list(range(1, 25))
    assert AuditEntry.objects.filter(action="bid.open_all", object_id=str(record.pk)).count() == 1
    assert AuditEntry.objects.filter(action="tender.opened", object_id=str(tender.pk)).count() == 1
    assert set(Bid.objects.filter(tender=tender).values_list("status", flat=True)) == {Bid.Status.OPENED}

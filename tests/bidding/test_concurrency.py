"""The deadline rush and opening under real concurrency: threads, each with its own connection."""

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg2
import pytest
from django.db import connection, connections

from bidding import services
from bidding.models import Bid, BidVersion, OpenedBid, OpeningRecord
from procurement.models import AuditEntry
from tests.bidding.helpers import bidder, published_tender, set_times, submit
from tests.sealing import shares_release

pytestmark = pytest.mark.django_db(transaction=True)


def in_threads(count: int, work):
    """Run work(i) in `count` threads at once; every thread closes its own connection."""
    barrier = threading.Barrier(count)

    def run(i):
        try:
            barrier.wait()
            return work(i)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return [f.result() for f in [pool.submit(run, i) for i in range(count)]]


def raw_connection():
    settings = connection.settings_dict
    return psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
    )


def test_fifty_concurrent_submissions_to_one_tender_all_succeed_and_are_all_opened():
    tender = published_tender()
    users = [bidder() for _ in range(50)]
    started = time.monotonic()
    results = in_threads(50, lambda i: submit(tender, users[i], price=str(90_000_000 + i)))
    elapsed = time.monotonic() - started
    assert all(r.created for r in results)
    assert Bid.objects.filter(tender=tender).count() == 50
    set_times(tender, deadline=-2, opening=-1)
    shares_release(tender)
    record = services.bid_open_all(tender_id=tender.pk)
    assert record.bid_count == 50
    assert record.valid_count == 50
    assert OpenedBid.objects.filter(opening=record, commitment_ok=True).count() == 50
    ranked = list(OpenedBid.objects.filter(opening=record).order_by("rank").values_list("rank", "price"))
    assert [rank for rank, _ in ranked] == list(range(1, 51))
    assert ranked[0][1] == 90_000_000
    print(f"50 concurrent submissions took {elapsed:.2f}s")


def test_the_same_idempotency_key_sent_concurrently_yields_one_bid_and_one_version(supplier_user):
    tender = published_tender()
    key = uuid.uuid4()
    results = in_threads(8, lambda i: submit(tender, supplier_user, price="100000000", key=key))
    assert sum(1 for r in results if r.created) == 1
    assert len({r.version.pk for r in results}) == 1
    assert Bid.objects.filter(tender=tender).count() == 1
    assert BidVersion.objects.filter(bid__tender=tender).count() == 1
    assert AuditEntry.objects.filter(action="bid.submit").count() == 1


def test_concurrent_first_submissions_of_one_company_become_versions_of_one_bid(supplier_user):
    tender = published_tender()
    in_threads(5, lambda i: submit(tender, supplier_user, price=str(100_000_000 - i)))
    bid = Bid.objects.get(tender=tender)
    assert sorted(bid.versions.values_list("number", flat=True)) == [1, 2, 3, 4, 5]


def test_opening_run_concurrently_produces_one_record():
    tender = published_tender()
    for i in range(5):
        submit(tender, bidder(), price=str(90_000_000 + i))
    set_times(tender, deadline=-2, opening=-1)
    shares_release(tender)
    records = in_threads(6, lambda i: services.bid_open_all(tender_id=tender.pk))
    assert len({r.pk for r in records}) == 1
    assert OpeningRecord.objects.filter(tender=tender).count() == 1
    assert OpenedBid.objects.filter(opening__tender=tender).count() == 5
    assert AuditEntry.objects.filter(action="bid.open_all").count() == 1
    assert AuditEntry.objects.filter(action="tender.opened").count() == 1


def test_opening_run_twice_returns_the_same_record():
    tender = published_tender()
    submit(tender, bidder())
    set_times(tender, deadline=-2, opening=-1)
    shares_release(tender)
    first = services.bid_open_all(tender_id=tender.pk)
    second = services.bid_open_all(tender_id=tender.pk)
    assert first.pk == second.pk
    assert OpenedBid.objects.filter(opening__tender=tender).count() == 1


def test_submissions_do_not_wait_for_each_other_on_the_tender_row(supplier_user):
    """A transaction holding the same shared lock a submission takes does not delay another bid."""
    tender = published_tender()
    holder = raw_connection()
    try:
        with holder.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT id FROM tenders_tender WHERE id = %s FOR KEY SHARE", [tender.pk])
            started = time.monotonic()
            result = in_threads(1, lambda i: submit(tender, supplier_user))[0]
            assert result.created
            assert time.monotonic() - started < 5
    finally:
        holder.rollback()
        holder.close()


def test_opening_waits_for_a_submission_in_flight_and_then_sees_it(supplier_user):
    """FOR UPDATE (opening) conflicts with FOR KEY SHARE (a submission): it waits, then includes the bid."""
    tender = published_tender()
    submit(tender, bidder(), price="95000000")
    set_times(tender, deadline=-2, opening=-1)
    shares_release(tender)  # a custodian's share is in; the platform's is released by the opening
    holder = raw_connection()
    done = threading.Event()
    try:
        with holder.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT id FROM tenders_tender WHERE id = %s FOR KEY SHARE", [tender.pk])
            records = []

            def open_it():
                try:
                    records.append(services.bid_open_all(tender_id=tender.pk))
                finally:
                    connections.close_all()
                    done.set()

            thread = threading.Thread(target=open_it)
            thread.start()
            time.sleep(1.0)
            assert not done.is_set(), "opening must wait for the submission holding the shared lock"
        holder.rollback()
        thread.join(timeout=30)
        assert records
        assert records[0].bid_count == 1
    finally:
        holder.close()

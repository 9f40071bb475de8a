"""No late bid, no lost bid (DESIGN §3.2): the moment a bid's transaction held the tender decides.

64 audited writers run at once, one of them with a slow notification fan-out inside its
transaction. Nobody waits for it: the audit log takes no platform-wide lock. A bid that held the
tender one second before the deadline but commits after it is accepted; one that first reaches
the tender after the deadline is refused.
"""

import threading
import time

import pytest
from django.db import connection, transaction

from bidding.models import BidVersion
from bidding.services import LateBid
from bidding.services import submission as submission_service
from procurement.audit import audit_record, transparency_log_verify
from procurement.models import AuditEntry
from tests.bidding.helpers import bidder, published_tender, set_times, submit
from tests.support.transparency import integrate_all

pytestmark = pytest.mark.django_db(transaction=True)

SLOW_FAN_OUT_S = 4.0


def _db_now():
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


def test_a_bid_held_before_the_deadline_is_accepted_however_long_the_bookkeeping_takes(monkeypatch):
    tender = published_tender()
    in_time_user, late_user = bidder(), bidder()
    real_notify = submission_service.notify

    def slow_receipt_notify(**kwargs):
        ids = real_notify(**kwargs)
        time.sleep(2.0)  # the bid's own bookkeeping is slow: it commits after the deadline
        return ids

    monkeypatch.setattr(submission_service, "notify", slow_receipt_notify)
    set_times(tender, deadline=2.0)
    start = time.monotonic()
    finished: dict[str, float] = {}
    outcome: dict[str, object] = {}
    errors: list[BaseException] = []

    def run(name, delay, work):
        try:
            time.sleep(max(0.0, start + delay - time.monotonic()))
            outcome[name] = work()
        except BaseException as exc:
            outcome[name] = exc
            if not isinstance(exc, LateBid):
                errors.append(exc)
        finally:
            finished[name] = time.monotonic() - start
            connection.close()

    def slow_fan_out():
        with transaction.atomic():
            audit_record(actor=None, action="test.amend", object_type="t", object_id="fan-out")
            time.sleep(SLOW_FAN_OUT_S)  # renders a thousand notifications while its transaction is open

    def writer(n):
        with transaction.atomic():
            return audit_record(actor=None, action="test.write", object_type="t", object_id=n).seq

    jobs = [("fan-out", 0.0, slow_fan_out)]
    jobs += [(f"writer-{n}", 0.3, lambda n=n: writer(n)) for n in range(62)]
    jobs += [("in-time", 1.0, lambda: submit(tender, in_time_user, price="90000000"))]
    jobs += [("late", 2.6, lambda: submit(tender, late_user, price="80000000"))]
    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    # The 62 writers never waited for the slow transaction's audit entry.
    assert max(finished[f"writer-{n}"] for n in range(62)) < finished["fan-out"] - 1.0
    accepted = outcome["in-time"].version
    assert accepted.submitted_at < tender.submission_deadline
    assert finished["in-time"] > 2.0  # it committed after the deadline had passed
    assert _db_now() > tender.submission_deadline
    assert isinstance(outcome["late"], LateBid)
    assert not BidVersion.objects.filter(supplier=late_user.supplier_membership.supplier).exists()
    assert AuditEntry.objects.filter(action="test.write").count() == 62
    integrate_all()
    assert transparency_log_verify().ok

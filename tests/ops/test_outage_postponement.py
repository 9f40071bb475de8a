"""Outage-aware postponement (issue 16 item 6): the health history and the deadlines it moves.

Defaults under test: a counted outage lasts at least 5 minutes, and postpones by 24 hours every
deadline that falls within 120 minutes after it (or during it).
"""

import html
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from bidding.models import Bid
from procurement import healthlog
from procurement.models import AuditEntry, HealthHeartbeat, HealthInterval, Outbox
from tenders.models import Tender, TenderPostponement, TenderVersion
from tenders.services import tender_follow, tenders_postpone_for_outages
from tests.bidding.helpers import bidder, close_and_open, published_tender, set_times, submit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def db_now():
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        return cursor.fetchone()[0]


def outage(minutes_ago_start: float, minutes_ago_end: float | None, component="unobserved") -> HealthInterval:
    now = db_now()
    return HealthInterval.objects.create(
        component=component,
        started_at=now - timedelta(minutes=minutes_ago_start),
        ended_at=None if minutes_ago_end is None else now - timedelta(minutes=minutes_ago_end),
        evidence={"test": True},
    )


def tender_due_in(minutes: float) -> Tender:
    tender = published_tender()
    set_times(tender, deadline=minutes * 60, opening=minutes * 60 + 3600)
    return tender


def test_a_deadline_an_hour_after_a_ten_minute_outage_is_postponed_publicly_by_a_day():
    follower = UserFactory(email="fiona@follower.example")
    tender = tender_due_in(60)
    tender_follow(tender=tender, user=follower)
    supplier = bidder()
    submit(tender, supplier)
    deadline, opening = tender.submission_deadline, tender.opening_at
    interval = outage(15, 5)

    assert tenders_postpone_for_outages() == [tender.pk]

    tender.refresh_from_db()
    assert tender.submission_deadline == deadline + timedelta(hours=24)
    assert tender.opening_at == opening + timedelta(hours=24)
    assert tender.next_check == tender.submission_deadline
    version = TenderVersion.objects.get(tender=tender, amendment_number=tender.version)
    assert version.created_by is None
    assert version.snapshot["submission_deadline"] == tender.submission_deadline.isoformat()
    postponement = TenderPostponement.objects.get(tender=tender)
    assert (postponement.interval, postponement.previous_deadline) == (interval, deadline)
    entry = AuditEntry.objects.get(action="tender.postpone_outage", object_id=str(tender.pk))
    assert entry.actor is None
    assert entry.data["interval"] == interval.pk
    # Followers and the bidder hear of it; the public versions page carries the notice.
    told = set(Outbox.objects.filter(event="tender.amended").values_list("recipient__email", flat=True))
    assert {follower.email, supplier.email} <= told
    page = Client().get(reverse("tenders:versions", args=[tender.pk])).content.decode()
    assert version.reason in html.unescape(page)


def test_it_is_idempotent_and_one_outage_seen_twice_postpones_once():
    tender = tender_due_in(30)
    outage(20, 10, component="web")
    outage(21, 9, component="unobserved")  # the same outage, as the probe's silence recorded it
    assert tenders_postpone_for_outages() == [tender.pk]
    assert tenders_postpone_for_outages() == []
    assert TenderPostponement.objects.filter(tender=tender).count() == 1
    assert AuditEntry.objects.filter(action="tender.postpone_outage").count() == 1


def test_a_deadline_already_passed_is_not_postponed_after_the_bids_were_opened():
    tender = published_tender()
    submit(tender, bidder())
    close_and_open(tender)  # the deadline passed during the outage's window, bids opened
    outage(30, 0)
    version = Tender.objects.get(pk=tender.pk).version
    assert tenders_postpone_for_outages() == []
    tender.refresh_from_db()
    assert tender.status == Tender.Status.OPENED
    assert tender.version == version
    assert not TenderPostponement.objects.exists()


def test_a_published_tender_whose_deadline_passed_is_not_reopened():
    """After the deadline custodians may release their shares: bids must not be taken again."""
    tender = tender_due_in(-1)
    outage(20, 0)
    assert tenders_postpone_for_outages() == []
    assert Tender.objects.get(pk=tender.pk).submission_deadline < db_now()


def test_deadlines_beyond_the_window_and_short_blips_are_left_alone():
    later = tender_due_in(180)  # three hours away: outside the 120-minute window after the outage
    soon = tender_due_in(30)
    outage(12, 10)  # two minutes: shorter than OUTAGE_MIN_SECONDS
    assert tenders_postpone_for_outages() == []
    outage(20, 10)
    assert tenders_postpone_for_outages() == [soon.pk]
    assert not TenderPostponement.objects.filter(tender=later).exists()


def test_an_ongoing_outage_postpones_a_deadline_before_it_passes(settings):
    tender = tender_due_in(10)
    outage(6, None, component="redis")
    assert tenders_postpone_for_outages() == [tender.pk]
    settings.OUTAGE_POSTPONE_ENABLED = False
    assert tenders_postpone_for_outages() == []


def test_a_bid_is_accepted_before_the_postponed_deadline_passes():
    tender = tender_due_in(2)
    outage(20, 1)
    tenders_postpone_for_outages()
    set_times(tender, deadline=None)  # nothing moved back: the real new deadline stands
    tender.refresh_from_db()
    assert tender.submission_deadline > db_now() + timedelta(hours=23)
    submit(tender, bidder())
    assert Bid.objects.filter(tender=tender).count() == 1


# --- the health history ----------------------------------------------------------------------


def test_the_probes_silence_becomes_an_unobserved_interval_and_postpones(settings):
    tender = tender_due_in(45)
    healthlog.health_probe_record()  # first heartbeat
    HealthHeartbeat.objects.update(last_at=db_now() - timedelta(minutes=12))  # nothing ran for 12 minutes
    report = healthlog.health_probe_record()
    assert HealthInterval.Component.UNOBSERVED in report.closed
    gap = HealthInterval.objects.get(component="unobserved")
    assert gap.ended_at - gap.started_at >= timedelta(minutes=12)
    assert AuditEntry.objects.filter(action="health.outage", object_id=str(gap.pk)).exists()
    healthlog.health_probe_record()  # a probe right after: no new gap
    assert HealthInterval.objects.filter(component="unobserved").count() == 1
    assert tenders_postpone_for_outages() == [tender.pk]


def test_the_webs_503s_become_web_intervals_once_their_minutes_are_over(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "h"}}
    healthlog.health_probe_record()
    minute = healthlog._minute(db_now().timestamp())
    for m, count in ((minute - 7, 3), (minute - 6, 40), (minute - 5, 2), (minute - 2, 1)):
        cache.set(healthlog.WEB_KEY.format(minute=m), count)
    HealthHeartbeat.objects.update(last_web_minute=minute - 10)
    healthlog.health_probe_record()
    intervals = list(HealthInterval.objects.filter(component="web").order_by("started_at"))
    assert [(i.ended_at - i.started_at).total_seconds() for i in intervals] == [180, 60]
    assert [i.evidence["responses_503"] for i in intervals] == [45, 1]
    healthlog.health_probe_record()
    assert HealthInterval.objects.filter(component="web").count() == 2


def test_a_slow_database_opens_an_interval_and_recovery_closes_it(settings):
    settings.HEALTH_DATABASE_SLOW_MS = -1  # every answer counts as slow
    healthlog.health_probe_record()
    assert HealthInterval.objects.get(component="database").ended_at is None
    settings.HEALTH_DATABASE_SLOW_MS = 60_000
    healthlog.health_probe_record()
    interval = HealthInterval.objects.get(component="database")
    assert interval.ended_at is not None
    actions = list(
        AuditEntry.objects.filter(object_type="procurement.healthinterval", object_id=str(interval.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["health.degraded", "health.recovered"]


def test_the_public_service_status_page_lists_outages_and_the_deadlines_they_moved():
    tender = tender_due_in(30)
    outage(20, 10, component="web")
    tenders_postpone_for_outages()
    tender.refresh_from_db()
    page = Client().get(reverse("tenders:service_status"))
    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    assert tender.reference in text
    assert reverse("tenders:versions", args=[tender.pk]) in text
    assert 'role="status"' not in text  # nothing ongoing
    outage(3, None, component="redis")
    assert 'role="status"' in Client().get(reverse("tenders:service_status")).content.decode()
    versions = html.unescape(Client().get(reverse("tenders:versions", args=[tender.pk])).content.decode())
    assert reverse("tenders:service_status") in versions  # the portal's own version says so


def test_administrators_see_the_probe_and_what_is_degraded_on_their_dashboard():
    from django.utils import translation

    from procurement.dashboard import system_health

    def facts():
        with translation.override("en"):
            return {str(label): (str(value), ok) for label, value, ok in system_health()}

    assert facts()["Health probe (outage record)"] == ("never ran", False)
    healthlog.health_probe_record()
    outage(2, None, component="redis")
    now = facts()
    assert now["Health probe (outage record)"][1] is True
    assert now["Degraded now"][1] is False
    assert "Redis" in now["Degraded now"][0]

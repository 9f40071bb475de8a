"""Drill: Redis stops during a bid rush (issue 16 item 5; docs/architecture.md §9).

Bids keep being accepted through the API and the form, API throttling degrades to each process's
own memory instead of failing, sessions (in the database) are untouched, and every notification
written during the outage is delivered exactly once when Redis is back.
"""

import uuid

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from bidding.models import Bid
from procurement.models import Notification, Outbox
from procurement.tasks import outbox_sweep
from tests.bidding.helpers import bidder, published_tender, sealed_form_data
from tests.conftest import wait_until
from tests.sealing import api_body

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_down(settings, private_redis, use_broker):
    """Cache and broker both point at a private Redis that is not running (yet)."""
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": private_redis.url,
            "KEY_PREFIX": f"outage-{uuid.uuid4().hex[:8]}",
        }
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    use_broker(private_redis.url)
    return private_redis


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_bids_are_accepted_through_the_api_and_the_form_and_notified_once_when_redis_returns(
    redis_down, celery_worker_factory
):
    tender = published_tender()
    api_user, form_user = bidder(), bidder()

    response = logged_in(api_user).post(
        "/api/v1/bids/",
        api_body(tender, api_user.supplier_membership.supplier),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 201, response.content[:300]
    form = logged_in(form_user).post(reverse("bidding:submit", args=[tender.pk]), sealed_form_data(tender, form_user))
    assert form.status_code == 302, form.content[:300]
    assert Bid.objects.filter(tender=tender).count() == 2
    assert cache.degraded  # the cache served from this process's memory
    rows = list(Outbox.objects.filter(event="bid.submitted").values_list("pk", flat=True))
    assert len(rows) == 2
    assert not Notification.objects.filter(outbox_id__in=rows).exists()

    redis_down.start()
    celery_worker_factory(redis_down.url)

    def delivered():
        """both bid notifications are sent (the sweep is re-sent every few polls, as beat would)"""
        delivered.polls += 1
        if delivered.polls % 25 == 1:
            outbox_sweep.apply_async(retry=False)
        return Outbox.objects.filter(pk__in=rows, status=Outbox.Status.SENT).count() == 2

    delivered.polls = 0
    wait_until(delivered, timeout=60)
    outbox_sweep.apply_async(retry=False)  # a late second sweep must not send them again
    wait_until(lambda: not Outbox.objects.filter(status=Outbox.Status.PENDING).exists(), timeout=10)
    for row in rows:
        assert Notification.objects.filter(outbox_id=row).count() == 1
    assert Notification.objects.filter(user__in=[api_user, form_user]).count() == 2


def test_api_throttling_still_limits_during_the_outage(redis_down, monkeypatch):
    """The throttle history lives in the process's memory while Redis is gone: the limit holds."""
    from rest_framework.throttling import SimpleRateThrottle

    # DRF reads the rates once, at import.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "600/min"})
    statuses = [Client().get("/api/v1/tenders/").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_signing_in_works_during_the_outage(redis_down, supplier_user):
    """Sessions are in the database and allauth's rate limits fall back to memory."""
    supplier_user.set_password("a-long-Passphrase-77")
    supplier_user.save()
    client = Client()
    response = client.post(reverse("account_login"), {"login": supplier_user.email, "password": "a-long-Passphrase-77"})
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200

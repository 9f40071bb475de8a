"""Rate limits key on the client's real address: behind the TLS proxy one attacker does not lock
everyone out, and without a trusted proxy a forged X-Forwarded-For does not escape the limits."""

import pytest
from django.urls import reverse
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import PASSWORD, SupplierMemberFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"  # the TLS proxy: every request reaches the portal from this address
ATTACKER = "203.0.113.9"
SAM = "198.51.100.7"


@pytest.fixture
def rate_limited(settings):
    """The production login limits, counted in a cache of this test's own."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl"}}
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
    settings.LANGUAGE_CODE = "en"


def behind_proxy(settings, count: int):
    settings.TRUSTED_PROXY_COUNT = count


def log_in(client, email, password, *, forwarded_for):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_behind_the_proxy_one_attackers_failed_logins_do_not_lock_out_other_users(client, settings, rate_limited):
    behind_proxy(settings, 1)
    sam = SupplierMemberFactory().user
    for n in range(15):
        log_in(client, f"victim{n}@example.org", "wrong-password-123", forwarded_for=ATTACKER)
    assert "Too many" in log_in(client, "victim0@example.org", "x", forwarded_for=ATTACKER).content.decode()

    response = log_in(client, sam.email, PASSWORD, forwarded_for=SAM)

    assert response.status_code == 302, response.content.decode()[:500]


def test_without_a_trusted_proxy_a_forged_forwarded_for_does_not_escape_the_login_limit(client, settings, rate_limited):
    behind_proxy(settings, 0)
    sam = SupplierMemberFactory().user
    for n in range(10):
        log_in(client, f"victim{n}@example.org", "wrong-password-123", forwarded_for=f"192.0.2.{n}")

    response = log_in(client, sam.email, PASSWORD, forwarded_for="192.0.2.200")

    assert response.status_code == 200
    assert "Too many" in response.content.decode()


@pytest.fixture
def api_throttled(settings, monkeypatch):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api"}}
    # DRF reads the rates once, at import.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "600/min"})


def test_without_a_trusted_proxy_a_forged_forwarded_for_does_not_escape_the_api_throttle(
    client, settings, api_throttled
):
    behind_proxy(settings, 0)
    statuses = [
        client.get("/api/v1/tenders/", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
        for n in range(5)
    ]
    assert statuses[-1] == 429


def test_behind_the_proxy_one_clients_api_throttle_leaves_others_alone(client, settings, api_throttled):
    behind_proxy(settings, 1)
    for _ in range(5):
        client.get("/api/v1/tenders/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    assert client.get("/api/v1/tenders/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER).status_code == 429
    assert client.get("/api/v1/tenders/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=SAM).status_code == 200


def test_entries_a_client_wrote_before_the_proxys_are_not_believed(client, settings, api_throttled):
    behind_proxy(settings, 1)
    for n in range(5):
        client.get("/api/v1/tenders/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {ATTACKER}")
    assert client.get("/api/v1/tenders/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER).status_code == 429

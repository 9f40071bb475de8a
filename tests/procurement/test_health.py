import pytest
from django.urls import reverse

from tests.conftest import free_port, wait_until


def _closed_port_url():
    return f"redis://127.0.0.1:{free_port()}/0"


@pytest.mark.django_db
def test_it_answers_503_naming_redis_when_redis_is_down(client, settings):
    settings.CELERY_BROKER_URL = _closed_port_url()
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "up", "redis": "down", "worker": "down"}


@pytest.mark.integration
@pytest.mark.django_db
def test_it_answers_503_when_no_worker_runs(client, settings, private_redis):
    private_redis.start()
    settings.CELERY_BROKER_URL = private_redis.url
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "up", "redis": "up", "worker": "down"}


@pytest.mark.integration
def test_it_reports_all_three_up_with_a_live_worker(client, settings, private_redis, celery_worker_factory):
    private_redis.start()
    settings.CELERY_BROKER_URL = private_redis.url
    celery_worker_factory(private_redis.url)
    response = wait_until(lambda: (r := client.get(reverse("healthz"))).status_code == 200 and r, timeout=60)
    assert response.json() == {"status": "ok", "checks": {"database": "up", "redis": "up", "worker": "up"}}

"""A large award report is rendered by a real Celery worker while the page polls its progress."""

import pytest
from django.urls import reverse

from contracts.models import ReportFile
from tests.conftest import wait_until

from .test_reports import contracted  # noqa: F401 - the fixture

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_large_report_is_rendered_by_the_worker_and_the_page_shows_its_hash(
    contracted,  # noqa: F811
    auditor,
    client,
    settings,
    private_redis,
    use_broker,
    celery_worker_factory,
):
    tender, _users = contracted
    private_redis.start()
    use_broker(private_redis.url)
    celery_worker_factory(private_redis.url)
    client.force_login(auditor)
    status_url = reverse("contracts:award_report_status", args=[tender.pk])

    client.post(reverse("contracts:award_report", args=[tender.pk]))
    first = client.get(status_url).content.decode()

    assert 'hx-trigger="every 2s"' in first or "data-report-sha256" in first

    def ready():
        """the worker has rendered the report"""
        return ReportFile.objects.filter(kind=ReportFile.Kind.AWARD_REPORT, status=ReportFile.Status.READY).first()

    report = wait_until(ready, timeout=90)
    fragment = client.get(status_url).content.decode()
    assert report.sha256 in fragment
    assert "hx-trigger" not in fragment
    assert report.content_sha256

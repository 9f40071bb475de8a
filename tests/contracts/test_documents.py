"""Contract documents and invoices are rendered by Celery while the page shows the progress (the award
report's mechanism, contracts.services.documents): never inside the request, once per content."""

import hashlib

import pytest
from django.test import TestCase
from django.urls import reverse

from contracts import services
from contracts.models import ReportFile
from contracts.services.documents import document_render
from tests.conftest import wait_until

from .test_contracts import contract  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """The ids handed to the worker's queue (nothing renders until the test says so)."""
    ids = []
    monkeypatch.setattr("contracts.tasks.document_render.delay", ids.append)
    return ids


def test_the_contract_document_is_prepared_once_in_the_background_and_then_served_with_its_hash(
    contract,  # noqa: F811
    official,
    client,
    queued,
):
    client.force_login(official)
    url = reverse("contracts:contract_document", args=[contract.pk, 1])

    with TestCase.captureOnCommitCallbacks(execute=True):
        first = client.get(url)
    with TestCase.captureOnCommitCallbacks(execute=True):
        again = client.get(url)  # reloading, or the other party opening it, queues nothing more

    assert first.status_code == again.status_code == 200
    assert first["Content-Type"].startswith("text/html")
    page = first.content.decode()
    assert "<progress" in page
    assert 'hx-trigger="every 1s"' in page
    report = ReportFile.objects.get(kind=ReportFile.Kind.CONTRACT)
    assert queued == [report.pk]
    assert report.status == ReportFile.Status.PENDING

    assert document_render(report_id=report.pk)
    assert not document_render(report_id=report.pk)  # a redelivered task renders nothing

    fragment = client.get(first.context["status_url"]).content.decode()
    report.refresh_from_db()
    assert report.sha256 in fragment
    assert "hx-trigger" not in fragment
    pdf = client.get(url)
    data = b"".join(pdf.streaming_content)
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["X-Content-SHA256"] == hashlib.sha256(data).hexdigest() == report.sha256
    assert contract.versions.get().document == report  # the file both parties sign


def test_a_failed_render_says_so_and_asking_again_queues_it_again(contract, official, client, queued, monkeypatch):  # noqa: F811
    client.force_login(official)
    url = reverse("contracts:contract_document", args=[contract.pk, 1])
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.get(url)
    report = ReportFile.objects.get()

    def broken(version):
        raise RuntimeError("fonts missing")

    monkeypatch.setattr("contracts.services.contracts.contract_document_context", broken)
    assert not document_render(report_id=report.pk)
    assert (
        "could not be prepared"
        in client.get(reverse("contracts:contract_document_status", args=[contract.pk, 1])).content.decode()
    )
    monkeypatch.undo()
    monkeypatch.setattr("contracts.tasks.document_render.delay", queued.append)

    with TestCase.captureOnCommitCallbacks(execute=True):
        client.get(url)

    assert queued == [report.pk, report.pk]


def test_the_status_of_a_contract_document_is_for_whoever_may_read_the_contract(contract, client, outsider):  # noqa: F811
    client.force_login(outsider)
    assert client.get(reverse("contracts:contract_document_status", args=[contract.pk, 1])).status_code in (403, 404)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_the_contract_document_while_the_page_polls(
    contract,  # noqa: F811
    official,
    client,
    private_redis,
    use_broker,
    celery_worker_factory,
):
    private_redis.start()
    use_broker(private_redis.url)
    celery_worker_factory(private_redis.url)
    client.force_login(official)
    url = reverse("contracts:contract_document", args=[contract.pk, 1])

    waiting = client.get(url)
    assert waiting["Content-Type"].startswith("text/html")

    def ready():
        """the worker has rendered the contract document"""
        return "data-report-sha256" in client.get(waiting.context["status_url"]).content.decode()

    wait_until(ready, timeout=60)
    pdf = client.get(url)
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["X-Content-SHA256"] == services.pending_version(contract).document.sha256

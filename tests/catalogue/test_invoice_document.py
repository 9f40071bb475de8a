"""The printable invoice is rendered by Celery while its page shows the progress
(contracts.services.documents), one file per content of the invoice."""

import hashlib

import pytest
from django.test import TestCase
from django.urls import reverse

from catalogue import services
from catalogue.pdf import invoice_fingerprint, invoice_html
from contracts.models import ReportFile
from contracts.services.documents import document_render

from .conftest import order, set_budget
from .test_search_and_pages import shelf  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def test_the_invoice_pdf_is_prepared_in_the_background_and_a_changed_invoice_gets_a_new_file(
    client_for,
    official,
    shelf,  # noqa: F811
    supplier_user,
    monkeypatch,
):
    queued = []
    monkeypatch.setattr("contracts.tasks.document_render.delay", queued.append)
    set_budget(official)
    [placed] = order(official, (shelf["notebook"], 1))
    line = placed.lines.get()
    delivery = services.delivery_dispatch(order=placed, actor=supplier_user, quantities={line.pk: 1})
    services.delivery_mark_delivered(delivery=delivery, actor=supplier_user)
    services.delivery_inspect(
        delivery=delivery, actor=official, verdicts={dl.pk: (1, "") for dl in delivery.lines.all()}
    )
    invoice = services.invoice_issue(order=placed, actor=supplier_user, quantities={line.pk: 1})
    client = client_for(official)
    url = reverse("catalogue:invoice_pdf", args=[invoice.pk])

    with TestCase.captureOnCommitCallbacks(execute=True):
        waiting = client.get(url)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.get(url)

    assert "<progress" in waiting.content.decode()
    first = ReportFile.objects.get(kind=ReportFile.Kind.INVOICE)
    assert queued == [first.pk]
    assert document_render(report_id=first.pk)
    assert "data-report-sha256" in client.get(waiting.context["status_url"]).content.decode()
    pdf = client.get(url)
    data = b"".join(pdf.streaming_content)
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["X-Content-SHA256"] == hashlib.sha256(data).hexdigest()

    # The file is keyed by what the invoice shows: the same invoice is served from the kept file.
    assert first.fingerprint == invoice_fingerprint(invoice_html(invoice))
    client_for(supplier_user).get(url)
    assert ReportFile.objects.filter(kind=ReportFile.Kind.INVOICE).count() == 1

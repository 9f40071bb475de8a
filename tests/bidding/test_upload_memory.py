"""Bid documents are held in memory: bounded per request and per process, never a crashed worker."""

import io
import uuid

import pytest
from django.urls import reverse

from bidding import uploads
from bidding.models import BidVersion
from tests.bidding.helpers import pdf_with

pytestmark = pytest.mark.django_db


def form_with(*documents):
    return {
        "idempotency_key": str(uuid.uuid4()),
        "price": "98765432",
        "lines": "",
        "no_conflict_of_interest": "on",
        "no_collusion": "on",
        "documents": list(documents),
    }


def document(size: int, name="proposal.pdf"):
    data = io.BytesIO(pdf_with("x" * size))
    data.name = name
    return data


def test_when_the_processs_upload_memory_is_spent_the_form_answers_503_with_retry_after(
    client_for, tender, supplier_user, monkeypatch
):
    spent = uploads.MemoryBudget(limit=1_000_000)
    spent.take(1_000_000)  # other requests in flight hold it all
    monkeypatch.setattr(uploads, "budget", spent)

    response = client_for(supplier_user).post(reverse("bidding:submit", args=[tender.pk]), form_with(document(200_000)))

    assert response.status_code == 503
    assert response["Retry-After"] == str(uploads.RETRY_AFTER_SECONDS)
    assert "try again" in response.content.decode()
    assert not BidVersion.objects.exists()
    assert spent.used == 1_000_000  # nothing of this request is left counted


def test_the_memory_an_upload_held_is_given_back_when_it_is_answered(client_for, tender, supplier_user, monkeypatch):
    fresh = uploads.MemoryBudget(limit=10_000_000)
    monkeypatch.setattr(uploads, "budget", fresh)

    response = client_for(supplier_user).post(reverse("bidding:submit", args=[tender.pk]), form_with(document(500_000)))

    assert response.status_code < 500
    assert fresh.used == 0


def test_the_request_limit_counts_every_document_of_the_request(client_for, tender, supplier_user, settings):
    settings.BID_UPLOAD_MAX_REQUEST_BYTES = 250_000

    response = client_for(supplier_user).post(
        reverse("bidding:submit", args=[tender.pk]),
        form_with(document(100_000, "a.pdf"), document(100_000, "b.pdf"), document(100_000, "c.pdf")),
    )

    assert response.status_code == 200
    assert "larger than the limit" in response.content.decode()
    assert not BidVersion.objects.exists()

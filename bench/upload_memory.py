"""Peak Python memory of one bid-form submission carrying documents (bid documents are held in memory).

    .venv/bin/pytest bench/upload_memory.py -s -p no:cacheprovider

Prints, for a request with one largest document (UPLOAD_MAX_BYTES) and for the largest request
(BID_UPLOAD_MAX_REQUEST_BYTES), the peak memory tracemalloc saw, as a multiple of the upload's
size. The README's "how many concurrent uploads a worker survives" comes from these numbers.
"""

import io
import tracemalloc
import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.test.client import BOUNDARY, encode_multipart
from django.urls import reverse

from tests.bidding.helpers import pdf_with, published_tender
from tests.factories import OfficialFactory, SupplierMemberFactory

MIB = 1024 * 1024


def submission(documents: list[bytes]) -> dict:
    files = []
    for n, data in enumerate(documents):
        f = io.BytesIO(data)
        f.name = f"proposal-{n}.pdf"
        files.append(f)
    return {
        "idempotency_key": str(uuid.uuid4()),
        "price": "98765432",
        "no_conflict_of_interest": "on",
        "no_collusion": "on",
        "documents": files,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 5])
def test_peak_memory_of_a_bid_with_documents(count):
    official = OfficialFactory()
    tender = published_tender(entity=official.entity, created_by=official.user)
    client = Client()
    client.force_login(SupplierMemberFactory().user)
    size = min(settings.UPLOAD_MAX_BYTES, settings.BID_UPLOAD_MAX_REQUEST_BYTES // count) - 4096
    data = submission([pdf_with("x" * (size - 200)) for _ in range(count)])
    uploaded = sum(len(f.getvalue()) for f in data["documents"])
    tracemalloc.start()
    # What the test client itself holds to build the request body (not the server's share).
    baseline = tracemalloc.get_traced_memory()[0]
    body = encode_multipart(BOUNDARY, data)
    client_share = tracemalloc.get_traced_memory()[1] - baseline
    del body
    for f in data["documents"]:
        f.seek(0)
    tracemalloc.reset_peak()
    baseline = tracemalloc.get_traced_memory()[0]
    response = client.post(reverse("bidding:submit", args=[tender.pk]), data)
    peak = tracemalloc.get_traced_memory()[1] - baseline
    tracemalloc.stop()
    assert response.status_code == 302
    server = peak - client_share
    print(
        f"\n{count} document(s), {uploaded / MIB:.1f} MiB uploaded: peak {peak / MIB:.1f} MiB in all, "
        f"of which the test client {client_share / MIB:.1f} MiB; the server's share {server / MIB:.1f} MiB "
        f"({server / uploaded:.1f} x the upload)"
    )

"""The bulk download: every public tender's record in one OCDS record package, built by the Celery task,
served with its SHA-256, valid OCDS, and with nothing sealed in it."""

import hashlib
import json

import pytest
from django.test import Client

from opendata.models import BulkFile
from opendata.services import KEEP
from opendata.tasks import opendata_bulk_build
from tests.bidding.helpers import bidder, submit
from tests.factories import TenderFactory

from .validation import assert_valid_ocds

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def live_site(live_server, settings):
    settings.SITE_URL = live_server.url
    return live_server


def download() -> tuple[dict, bytes]:
    meta = Client().get("/api/v1/ocds/bulk/")
    assert meta.status_code == 200
    meta = meta.json()
    response = Client().get(meta["url"].split("/api/", 1)[1].join(["/api/", ""]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert response["X-Content-SHA256"] == meta["sha256"]
    return meta, body


def test_the_bulk_file_has_every_public_record_its_hash_and_no_sealed_bid(official):
    assert Client().get("/api/v1/ocds/bulk/").status_code == 404  # none built yet
    tenders = [TenderFactory(published=True, entity=official.official.entity, created_by=official) for _ in range(3)]
    submit(tenders[0], bidder(), price="87654321")

    opendata_bulk_build.apply()  # what the worker runs when beat sends it

    meta, body = download()
    assert hashlib.sha256(body).hexdigest() == meta["sha256"]
    assert meta["size"] == len(body)
    package = json.loads(body)
    assert sorted(r["ocid"] for r in package["records"]) == sorted(t.ocid for t in tenders)
    assert meta["records"] == 3
    assert "87654321" not in body.decode()
    single = Client().get(f"/api/v1/ocds/records/{tenders[1].ocid}/").json()["records"][0]
    assert next(r for r in package["records"] if r["ocid"] == tenders[1].ocid) == single
    assert_valid_ocds(package)


def test_old_bulk_files_are_pruned(official):
    TenderFactory(published=True, entity=official.official.entity, created_by=official)
    builds = [opendata_bulk_build() for _ in range(KEEP + 2)]
    assert BulkFile.objects.count() == KEEP + 1
    assert BulkFile.objects.first().pk == builds[-1]["id"]

"""The demo data's whole open data — competitive tenders, framework competitions and their agreements,
call-off orders in every state, the second-stage competition, invoices paid on time and late — is
valid OCDS (libcoveocds, 0 errors), in one bulk file."""

import io
import json

import pytest
from django.core.management import call_command

from opendata.services import bulk_file_build

from .validation import assert_valid_ocds

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def live_site(live_server, settings):
    settings.SITE_URL = live_server.url  # libcoveocds fetches the extension from here (validation.py)
    return live_server


def test_the_demo_bulk_file_is_valid_ocds_with_the_catalogue_in_it():
    call_command("load_demo", stdout=io.StringIO())
    bulk = bulk_file_build()
    with bulk.file.open("rb") as handle:
        package = json.loads(handle.read())

    assert_valid_ocds(package)
    compiled = [record["compiledRelease"] for record in package["records"]]
    frameworks = [c for c in compiled if c.get("tender", {}).get("techniques", {}).get("hasFrameworkAgreement")]
    assert len(frameworks) >= 2  # office supplies and PCs
    assert all(any("agreementStatus" in a for a in c["awards"]) for c in frameworks)
    call_offs = [c for c in compiled if c.get("tender", {}).get("competitive") is False]
    assert call_offs
    assert all(c["relatedProcesses"][0]["relationship"] == ["framework"] for c in call_offs)
    # The demo's paid invoices are on orders below the publication threshold: their payments stay private.
    # The second-stage competition: its own tender, related to a framework, its order as its award.
    [competition] = [c for c in compiled if c.get("tender", {}).get("competitive") is True]
    framework_ocids = {c["ocid"] for c in frameworks}
    assert competition["relatedProcesses"][0]["identifier"] in framework_ocids
    assert competition["contracts"][0]["awardID"] in {a["id"] for a in competition["awards"]}

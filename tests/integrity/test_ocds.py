"""Red flags in OCDS, validated with libcoveocds two ways:

- the portal's own releases with the flags merged in, in a package that lists the red-flags extension
  beside opendata's; libcoveocds fetches both from the live server and applies them (0 errors, no
  field outside the schema);
- a minimal release with flags against OCDS 1.1.5 patched with the extension's release-schema.json
  (JSON merge patch, done here), so the extension's schema itself is checked, and a malformed flag
  is caught.
"""

import json
import os
import zipfile
from pathlib import Path

import pytest
from django.test import Client

from integrity.ocds import EXTENSION_DIR, extension_url, ocds_red_flags_fragment
from integrity.tasks import integrity_sweep
from opendata.ocds import tender_releases
from opendata.packages import release_package
from tests.bidding.helpers import bidder, close_and_open, published_tender
from tests.opendata.validation import assert_valid_ocds

from .test_flow import _award, _bid_through_page

pytestmark = pytest.mark.django_db
RELEASE_SCHEMA = "standard-1__1__5/schema/release-schema.json"


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch: how OCDS applies an extension's release-schema.json."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _awarded_with_flags(official):
    tender = published_tender(entity=official.official.entity, created_by=official)
    _bid_through_page(tender, bidder(), "97,000,000", "203.0.113.7")
    _bid_through_page(tender, bidder(), "97,000,000", "203.0.113.7")
    integrity_sweep()
    close_and_open(tender)
    _award(official, tender)
    integrity_sweep()
    tender.refresh_from_db()
    return tender


@pytest.mark.django_db(transaction=True)
def test_the_portals_release_with_red_flags_validates_with_both_extensions(official, live_server, settings):
    settings.SITE_URL = live_server.url  # libcoveocds fetches the extensions from the running portal
    tender = _awarded_with_flags(official)
    fragment = ocds_red_flags_fragment(tender)
    assert {f["rule"] for f in fragment["redFlags"]} == {"identical_prices", "same_network"}
    releases = tender_releases(tender)
    releases[-1] = {**releases[-1], **fragment}
    package = release_package(releases, uri=f"{live_server.url}/api/v1/ocds/releases/{tender.ocid}/")
    package["extensions"].append(extension_url())
    assert_valid_ocds(package)


@pytest.fixture
def extended_standard_zip(tmp_path) -> Path:
    source = os.environ.get("OCDS_STANDARD_ZIP")
    if not source:
        pytest.skip("OCDS_STANDARD_ZIP is unset: libcoveocds would download the schema (CI sets it)")
    patch = json.loads((EXTENSION_DIR / "release-schema.json").read_text())
    target = tmp_path / "standard-with-red-flags.zip"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as patched:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == RELEASE_SCHEMA:
                data = json.dumps(merge_patch(json.loads(data), patch)).encode()
            patched.writestr(item, data)
    return target


def _validate(release: dict, standard_zip: Path) -> dict:
    from libcoveocds.api import ocds_json_output
    from libcoveocds.config import LibCoveOCDSConfig

    package = {
        "uri": "https://example.org/red-flags.json",
        "version": "1.1",
        "publishedDate": "2026-11-29T00:00:00Z",
        "publisher": {"name": "test"},
        "releases": [release],
    }
    config = LibCoveOCDSConfig({"standard_zip": f"file://{standard_zip}", "context": "api"})
    return ocds_json_output("", json_data=package, lib_cove_ocds_config=config)


def _minimal_release(red_flags) -> dict:
    return {
        "ocid": "ocds-koneps-2099-00001",
        "id": "ocds-koneps-2099-00001-award-1",
        "date": "2026-11-29T00:00:00Z",
        "tag": ["award"],
        "initiationType": "tender",
        "redFlags": red_flags,
    }


def test_flags_validate_against_the_standard_patched_with_the_extension(official, extended_standard_zip):
    tender = _awarded_with_flags(official)
    result = _validate(_minimal_release(ocds_red_flags_fragment(tender)["redFlags"]), extended_standard_zip)
    assert result["validation_errors"] == []
    assert not result.get("additional_fields"), result.get("additional_fields")


def test_without_the_extension_red_flags_are_fields_outside_the_schema(official):
    source = os.environ.get("OCDS_STANDARD_ZIP")
    if not source:
        pytest.skip("OCDS_STANDARD_ZIP is unset")
    tender = _awarded_with_flags(official)
    result = _validate(_minimal_release(ocds_red_flags_fragment(tender)["redFlags"]), Path(source).resolve())
    assert "redFlags" in json.dumps(result.get("additional_fields"))


def test_a_malformed_flag_fails_validation(extended_standard_zip):
    result = _validate(_minimal_release([{"id": "1", "rule": "x", "stage": "someday"}]), extended_standard_zip)
    assert result["validation_errors"]


def test_no_flags_in_ocds_before_the_award(official):
    tender = published_tender(entity=official.official.entity, created_by=official)
    _bid_through_page(tender, bidder(), "97,000,000", "203.0.113.7")
    _bid_through_page(tender, bidder(), "97,000,000", "203.0.113.7")
    close_and_open(tender)
    integrity_sweep()
    assert ocds_red_flags_fragment(tender) == {}


def test_the_extension_files_are_served_publicly():
    extension = Client().get("/integrity/ocds-extension/extension.json").json()
    assert extension["schemas"] == ["release-schema.json"]
    assert extension["documentationUrl"]["en"].endswith("/integrity/rules/")
    schema = Client().get("/integrity/ocds-extension/release-schema.json").json()
    assert "RedFlag" in schema["definitions"]
    assert Client().get("/integrity/ocds-extension/settings.py").status_code == 404

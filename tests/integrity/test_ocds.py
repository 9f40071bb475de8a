"""Red flags in OCDS: the extension's schema patched into OCDS 1.1.5 (JSON merge patch), and the
tender's releases with flags validated by libcoveocds against it (0 errors, no field outside the schema)."""

import json
import os
import tempfile
import zipfile
from pathlib import Path

import pytest
from django.test import Client

from integrity.ocds import EXTENSION_DIR, ocds_red_flags_fragment
from integrity.tasks import integrity_sweep
from opendata.ocds import tender_releases, tenders_for_ocds
from opendata.packages import release_package
from tenders.models import Tender

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


def validate(package: dict, standard_zip: Path) -> dict:
    from libcoveocds.api import ocds_json_output
    from libcoveocds.config import LibCoveOCDSConfig

    config = LibCoveOCDSConfig({"standard_zip": f"file://{standard_zip}", "context": "api"})
    with tempfile.TemporaryDirectory() as output_dir:  # where libcoveocds writes an extended schema
        return ocds_json_output(output_dir, json_data=package, lib_cove_ocds_config=config)


@pytest.fixture
def awarded_with_flags(official):
    from tests.bidding.helpers import bidder, close_and_open, published_tender

    tender = published_tender(entity=official.official.entity, created_by=official)
    _bid_through_page(tender, bidder(), "97,000,000", "203.0.113.7")
    _bid_through_page(tender, bidder(), "97,000,000", "203.0.113.7")
    integrity_sweep()
    close_and_open(tender)
    _award(official, tender)
    integrity_sweep()
    tender.refresh_from_db()
    return tender


def flagged_releases(tender) -> list[dict]:
    """The tender's OCDS releases (opendata) with the other extensions' fields left out: this file checks
    the red-flags extension alone (tests/opendata validates whole packages with every extension)."""
    releases = tender_releases(tenders_for_ocds(Tender.objects.all()).get(pk=tender.pk))
    return [{key: value for key, value in r.items() if key != "bids"} for r in releases if "redFlags" in r]


def test_a_release_with_red_flags_validates_with_the_extension_applied(awarded_with_flags, extended_standard_zip):
    fragment = ocds_red_flags_fragment(awarded_with_flags)
    assert {f["rule"] for f in fragment["redFlags"]} == {"identical_prices", "same_network"}
    [release] = flagged_releases(awarded_with_flags)
    assert release["redFlags"] == fragment["redFlags"]
    package = {**release_package([release], uri="https://example.org/ocds/test.json"), "extensions": []}
    result = validate(package, extended_standard_zip)
    assert result["validation_errors"] == []
    assert not result.get("additional_fields"), result.get("additional_fields")


def test_without_the_extension_the_flags_are_fields_outside_the_schema(awarded_with_flags):
    """The check above can fail: the same release against the plain standard has an unknown field."""
    source = os.environ.get("OCDS_STANDARD_ZIP")
    if not source:
        pytest.skip("OCDS_STANDARD_ZIP is unset")
    package = {
        **release_package(flagged_releases(awarded_with_flags), uri="https://example.org/x.json"),
        "extensions": [],
    }
    result = validate(package, Path(source).resolve())
    assert "redFlags" in json.dumps(result.get("additional_fields"))


def test_a_malformed_flag_fails_validation_with_the_extension(awarded_with_flags, extended_standard_zip):
    [release] = flagged_releases(awarded_with_flags)
    release["redFlags"] = [{"id": "1", "rule": "x", "stage": "someday"}]
    package = {**release_package([release], uri="https://example.org/x.json"), "extensions": []}
    result = validate(package, extended_standard_zip)
    assert result["validation_errors"]


def test_no_flags_in_ocds_before_the_award(official):
    from tests.bidding.helpers import bidder, close_and_open, published_tender

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
    assert Client().get("/integrity/ocds-extension/../settings.py").status_code == 404

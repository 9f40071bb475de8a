"""Validation with libcoveocds (the standard's own validator) against OCDS 1.1.5, offline.

libcoveocds reads the schema from OCDS_STANDARD_ZIP and fetches each extension listed in a package
by its URL. There is no internet here, so the packages name the extension where the portal serves it
(SITE_URL/api/v1/ocds/extensions/koneps/…) and the tests point SITE_URL at pytest-django's live
server: libcoveocds then downloads extension.json and release-schema.json from the running portal and
applies the patch itself, exactly as it would for a registered extension.

The record-package schema refers to the versioned-release schema by its absolute URL on
standard.open-contracting.org, which jsonref downloads with `requests.get`; `_StandardFromZip`
answers those URLs from the same zip (the file is in it) and passes any other URL on.
"""

import json
import os
import tempfile
import zipfile

import jsonref
import pytest
import requests

STANDARD_URL = "https://standard.open-contracting.org/schema/1__1__5/"


class _StandardFromZip:
    def __init__(self, zip_path: str):
        self.zip_path = zip_path

    def get(self, url, **kwargs):
        if not url.startswith(STANDARD_URL):
            return requests.get(url, timeout=10, **kwargs)
        name = url.removeprefix(STANDARD_URL)
        with zipfile.ZipFile(self.zip_path) as archive:
            [member] = [m for m in archive.namelist() if m.endswith(f"/schema/{name}")]
            data = json.loads(archive.read(member))
        return _Answer(data)


class _Answer:
    def __init__(self, data):
        self.data = data

    def raise_for_status(self):
        return None

    def json(self, **kwargs):
        return self.data


def validate(package: dict) -> dict:
    zip_path = os.environ.get("OCDS_STANDARD_ZIP")
    if not zip_path:
        pytest.skip("OCDS_STANDARD_ZIP is unset: libcoveocds would download the schema (CI sets it)")
    from libcoveocds.api import ocds_json_output
    from libcoveocds.config import LibCoveOCDSConfig

    zip_path = os.path.abspath(zip_path)
    config = LibCoveOCDSConfig({"standard_zip": f"file://{zip_path}", "context": "api"})
    # libcoveocds writes the extended schema it built into output_dir.
    with pytest.MonkeyPatch.context() as patch, tempfile.TemporaryDirectory() as output_dir:
        patch.setattr(jsonref, "requests", _StandardFromZip(zip_path))
        return ocds_json_output(output_dir, json_data=package, lib_cove_ocds_config=config)


def assert_valid_ocds(package: dict) -> dict:
    result = validate(package)
    # The extension was fetched and applied: otherwise its fields would be "additional".
    assert not result.get("invalid_extension"), result.get("invalid_extension")
    assert result["validation_errors"] == [], result["validation_errors"]
    # Everything we publish is in the core schema or the extension: no stray fields either. (libcoveocds
    # checks a record's versionedRelease against the core versioned-release schema, which no extension
    # patches, so extension fields there count as "additional"; the same fields are checked in the
    # releases and the compiled release of the same record.)
    stray = [f for f in result.get("additional_fields") or [] if not f["path"].startswith("/records/versionedRelease")]
    assert not stray, stray
    assert not result.get("additional_closed_codelist_values"), result.get("additional_closed_codelist_values")
    return result

"""The merge rules written out in opendata.merge are OCDS 1.1.5's patched with the packages' extensions."""

import json
import os
import zipfile
from pathlib import Path

import json_merge_patch
import jsonref
import pytest
from ocdsmerge.rules import get_merge_rules

from opendata.merge import MERGE_RULES

ROOT = Path(__file__).resolve().parents[2]
EXTENSIONS = (
    ROOT / "opendata" / "extensions" / "koneps" / "release-schema.json",
    ROOT / "integrity" / "ocds_extension" / "release-schema.json",
)


def test_the_merge_rules_are_the_standards_with_the_extension():
    zip_path = os.environ.get("OCDS_STANDARD_ZIP")
    if not zip_path:
        pytest.skip("OCDS_STANDARD_ZIP is unset")
    with zipfile.ZipFile(zip_path) as archive:
        [member] = [m for m in archive.namelist() if m.endswith("/schema/release-schema.json")]
        schema = json.loads(archive.read(member))
    patched = schema
    for extension in EXTENSIONS:
        patched = json_merge_patch.merge(patched, json.loads(extension.read_text()))
    assert get_merge_rules(jsonref.replace_refs(patched)) == MERGE_RULES

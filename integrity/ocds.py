"""Red flags in OCDS: the fragment of a tender's release (the local extension in ocds_extension/).

The open-data app merges `ocds_red_flags_fragment(tender)` into each release and lists
`extension_url()` in the package's `extensions`; until the award is public the fragment is empty.
"""

import json
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from . import selectors

EXTENSION_DIR = Path(__file__).resolve().parent / "ocds_extension"
EXTENSION_FILES = ("extension.json", "release-schema.json")


def _number(value):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def ocds_red_flags_fragment(tender) -> dict:
    """{"redFlags": [...]} for the tender's release, or {} when it has no public flag."""
    flags = selectors.flags_public_for_tender(tender)
    if not flags:
        return {}
    return {
        "redFlags": [
            {
                "id": str(flag.pk),
                "rule": flag.rule,
                "title": flag.indicator.title_en,
                "description": flag.indicator.explanation_en,
                "stage": flag.stage,
                "value": _number(flag.value),
                "threshold": _number(flag.threshold),
                "date": flag.occurred_at.isoformat(),
                "reviewStatus": flag.review,
            }
            for flag in flags
        ]
    }


def extension_url() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("integrity:ocds_extension", args=["extension.json"])


def extension_file(name: str) -> dict:
    """One of the extension's files, with its documentation link made absolute."""
    data = json.loads((EXTENSION_DIR / name).read_text())
    if name == "extension.json":
        data["documentationUrl"] = {"en": settings.SITE_URL.rstrip("/") + reverse("integrity:rules")}
    return data

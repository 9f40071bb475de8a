"""OCDS release and record packages around the releases of `opendata.ocds`."""

from django.urls import reverse
from django.utils import timezone

from . import merge, ocds

PUBLISHER = {"name": "KONEPS-style e-procurement portal"}
# Korea Open Government License, type 1 (attribution): what the law asks for public procurement data.
LICENSE = "https://www.kogl.or.kr/info/licenseType1.do"


def _package(uri: str, published) -> dict:
    return {
        "uri": uri,
        "version": ocds.OCDS_VERSION,
        "extensions": ocds.extension_urls(),
        "publishedDate": (published or timezone.now()).isoformat(),
        "publisher": PUBLISHER,
        "license": LICENSE,
        "publicationPolicy": ocds.absolute(reverse("opendata:policy")),
    }


def release_package(releases: list[dict], *, uri: str, published=None) -> dict:
    return {**_package(uri, published), "releases": releases}


def record_package(records: list[dict], *, uri: str, published=None) -> dict:
    return {**_package(uri, published), "records": records}


def tender_record(tender) -> dict:
    return merge.record(ocds.tender_releases(tender))

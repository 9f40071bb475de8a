"""OCDS 1.1 open data: release packages of public tenders validate against the standard's schema,
and never say anything that is still sealed or private."""

import json
import os

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from suppliers.models import Classification
from tenders.models import Tender, TenderDocument
from tests.bidding.helpers import bidder, submit
from tests.contracts.test_contracts import contract, sign  # noqa: F401 (fixture)
from tests.factories import TenderFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/ocds/releases/"


def release_url(tender) -> str:
    return f"{LIST_URL}{tender.ocid}/"


def get_json(url: str) -> dict:
    response = Client().get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def assert_valid_ocds(package: dict) -> None:
    zip_path = os.environ.get("OCDS_STANDARD_ZIP")
    if not zip_path:
        pytest.skip("OCDS_STANDARD_ZIP is unset: libcoveocds would download the schema (CI sets it)")
    from libcoveocds.api import ocds_json_output
    from libcoveocds.config import LibCoveOCDSConfig

    config = LibCoveOCDSConfig({"standard_zip": f"file://{os.path.abspath(zip_path)}", "context": "api"})
    result = ocds_json_output("", json_data=package, lib_cove_ocds_config=config)
    assert result["validation_errors"] == []
    # Everything we publish is in the core schema: no stray fields either.
    assert not result.get("additional_fields"), result.get("additional_fields")


def published_tender_with_documents(official) -> Tender:
    tender = TenderFactory(
        published=True,
        entity=official.official.entity,
        created_by=official,
        description="<p>데스크톱 <strong>350대</strong> &amp; 설치</p>",
    )
    cpv, _ = Classification.objects.get_or_create(
        scheme="CPV", code="30200000", defaults={"title_ko": "컴퓨터 장비", "title_en": "Computer equipment"}
    )
    tender.classifications.add(cpv)
    TenderDocument.objects.create(
        tender=tender,
        title="과업지시서",
        file=ContentFile(b"%PDF-1.4 spec", name="spec.pdf"),
        original_name="spec.pdf",
        content_type="application/pdf",
        size=13,
        sha256="0" * 64,
        uploaded_by=official,
    )
    return tender


def test_a_published_tenders_release_package_is_valid_ocds(official, settings):
    settings.SITE_URL = "https://portal.example"
    tender = published_tender_with_documents(official)

    package = get_json(release_url(tender))

    assert package["version"] == "1.1"
    [release] = package["releases"]
    assert release["ocid"] == tender.ocid
    assert release["tag"] == ["tender"]
    assert release["buyer"]["id"] == f"KR-ENTITY-{tender.entity.code}"
    assert release["tender"]["status"] == "active"
    assert release["tender"]["description"] == "데스크톱 350대 & 설치"
    assert release["tender"]["value"] == {"amount": 100000000, "currency": "KRW"}
    assert release["tender"]["items"][0]["classification"]["id"] == "30200000"
    [document] = release["tender"]["documents"]
    assert document["url"].startswith(f"https://portal.example/tenders/{tender.pk}/documents/")
    assert_valid_ocds(package)


def test_a_contracted_tenders_release_has_the_award_the_supplier_and_the_contract(contract, official):  # noqa: F811
    sign(contract, official)
    sign(contract, contract.winner_user)
    contract.refresh_from_db()
    supplier = contract.supplier

    package = get_json(release_url(contract.tender))

    [release] = package["releases"]
    assert set(release["tag"]) == {"tender", "award", "contract"}
    assert release["tender"]["status"] == "complete"
    assert release["tender"]["numberOfTenderers"] == 3
    [award] = release["awards"]
    assert award["status"] == "active"
    assert award["suppliers"] == [{"id": f"KR-BRN-{supplier.registration_number}", "name": supplier.name_ko}]
    parties = {party["id"]: party["roles"] for party in release["parties"]}
    assert set(parties[f"KR-BRN-{supplier.registration_number}"]) == {"tenderer", "supplier"}
    [ocds_contract] = release["contracts"]
    assert ocds_contract["id"] == contract.reference
    assert ocds_contract["awardID"] == award["id"]
    assert ocds_contract["status"] == "active"
    assert ocds_contract["dateSigned"]
    assert ocds_contract["value"]["amount"] == 90000000
    assert_valid_ocds(package)


def test_drafts_and_tenders_awaiting_approval_are_not_published(official):
    public = TenderFactory(published=True, entity=official.official.entity, created_by=official)
    hidden = [
        TenderFactory(
            entity=official.official.entity,
            created_by=official,
            status=status,
            reference=f"2099-9999{n}",
            ocid=f"ocds-koneps-2099-9999{n}",
        )
        for n, status in enumerate([Tender.Status.DRAFT, Tender.Status.PENDING_APPROVAL])
    ]

    listed = [release["ocid"] for release in get_json(LIST_URL)["releases"]]

    assert listed == [public.ocid]
    for tender in hidden:
        assert Client().get(release_url(tender)).status_code == 404


def test_the_list_is_newest_first_and_paginated(official, monkeypatch):
    from opendata import views as ocds_views

    monkeypatch.setattr(ocds_views, "PAGE_SIZE", 1)
    older = TenderFactory(published=True, entity=official.official.entity, created_by=official)
    newer = TenderFactory(published=True, entity=official.official.entity, created_by=official)
    Tender.objects.filter(pk=older.pk).update(published_at=newer.published_at.replace(year=2025))

    first = Client().get(LIST_URL)
    assert [r["ocid"] for r in first.json()["releases"]] == [newer.ocid]
    assert 'rel="next"' in first["Link"]
    assert [r["ocid"] for r in get_json(f"{LIST_URL}?page=2")["releases"]] == [older.ocid]
    assert Client().get(f"{LIST_URL}?page=3").status_code == 404


def test_before_opening_nothing_about_bids_is_published(official):
    tender = TenderFactory(published=True, entity=official.official.entity, created_by=official)
    user = bidder()
    submit(tender, user, price="87654321")

    package = get_json(release_url(tender))
    text = json.dumps(package, ensure_ascii=False)

    assert "87654321" not in text
    [release] = package["releases"]
    assert "tenderers" not in release["tender"]
    assert "numberOfTenderers" not in release["tender"]
    assert [party["roles"] for party in release["parties"]] == [["buyer", "procuringEntity"]]
    assert user.supplier_membership.supplier.registration_number not in text
    assert_valid_ocds(package)


def test_a_record_package_of_the_releases_is_valid_ocds_too(official):
    from opendata import ocds

    tender = published_tender_with_documents(official)
    release = ocds.tender_release(ocds.tenders_for_ocds(Tender.objects.all()).get(pk=tender.pk))

    package = ocds.record_package([release], uri="https://portal.example/records")

    [record] = package["records"]
    assert record["ocid"] == tender.ocid
    assert record["releases"] == [release]
    assert record["compiledRelease"]["tag"] == ["compiled"]
    # The record-package schema pulls the versioned-release schema from the web (not in the zip), so
    # offline we check what it embeds: the compiled release, in a release package.
    assert_valid_ocds(ocds.release_package([record["compiledRelease"]], uri="https://portal.example/x"))

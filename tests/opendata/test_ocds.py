"""OCDS 1.1 open data: release and record packages of public tenders validate against the standard's
schema with the koneps extension, and never say anything that is still sealed or private."""

import json

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client

from procurement.audit import audit_record
from suppliers.models import Classification
from tenders.models import Tender, TenderDocument
from tests.bidding.helpers import bidder, submit
from tests.contracts.test_contracts import contract, sign  # noqa: F401 (fixture)
from tests.factories import TenderFactory

from .validation import assert_valid_ocds

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/ocds/releases/"


def release_url(tender) -> str:
    return f"{LIST_URL}{tender.ocid}/"


def get_json(url: str) -> dict:
    response = Client().get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


@pytest.fixture(autouse=True)
def live_site(live_server, settings):
    """Packages name the extension on this server, where libcoveocds fetches it (see validation.py)."""
    settings.SITE_URL = live_server.url
    return live_server


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
    with transaction.atomic():  # a published tender's document comes with an entry about it
        document = TenderDocument.objects.create(
            tender=tender,
            title="과업지시서",
            file=ContentFile(b"%PDF-1.4 spec", name="spec.pdf"),
            original_name="spec.pdf",
            content_type="application/pdf",
            size=13,
            sha256="0" * 64,
            uploaded_by=official,
        )
        audit_record(actor=official, action="tender.document_add", obj=tender, data={"document": document.pk})
    return tender


def test_a_published_tenders_release_package_is_valid_ocds(official, live_site):
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
    assert document["url"].startswith(f"{live_site.url}/tenders/{tender.pk}/documents/")
    assert document["sha256"] == "0" * 64
    assert release["id"] == f"{tender.ocid}-tender-0"
    assert_valid_ocds(package)


def test_a_contracted_tenders_release_has_the_award_the_supplier_and_the_contract(contract, official):  # noqa: F811
    sign(contract, official)
    sign(contract, contract.winner_user)
    contract.refresh_from_db()
    supplier = contract.supplier

    package = get_json(release_url(contract.tender))

    releases = {r["id"].removeprefix(f"{contract.tender.ocid}-"): r for r in package["releases"]}
    assert releases[f"contract-{contract.reference}-v1-buyer"]["tag"] == ["contract"]
    [record] = get_json(f"/api/v1/ocds/records/{contract.tender.ocid}/")["records"]
    release = record["compiledRelease"]
    assert release["tag"] == ["compiled"]
    assert release["tender"]["status"] == "complete"
    assert release["tender"]["numberOfTenderers"] == 3
    [award] = release["awards"]
    assert award["status"] == "active"
    assert award["suppliers"] == [{"id": f"KR-BRN-{supplier.registration_number}", "name": supplier.name_ko}]
    assert award["documents"][0]["url"].endswith(f"/api/v1/award-reports/{contract.tender_id}/")
    parties = {party["id"]: party["roles"] for party in release["parties"]}
    assert set(parties[f"KR-BRN-{supplier.registration_number}"]) == {"tenderer", "supplier"}
    [ocds_contract] = release["contracts"]
    assert ocds_contract["id"] == contract.reference
    assert ocds_contract["awardID"] == award["id"]
    assert ocds_contract["status"] == "active"
    assert ocds_contract["dateSigned"]
    assert ocds_contract["value"]["amount"] == 90000000
    assert_valid_ocds(package)
    assert_valid_ocds(get_json(f"/api/v1/ocds/records/{contract.tender.ocid}/"))


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
    recorded = [record["ocid"] for record in get_json("/api/v1/ocds/records/")["records"]]

    assert listed == [public.ocid]
    assert recorded == [public.ocid]
    for tender in hidden:
        assert Client().get(release_url(tender)).status_code == 404
        assert Client().get(f"/api/v1/ocds/records/{tender.ocid}/").status_code == 404


def test_the_list_is_newest_first_and_paginated(official, monkeypatch):
    from opendata import views as ocds_views

    monkeypatch.setattr(ocds_views, "PAGE_SIZE", 1)
    older = TenderFactory(published=True, entity=official.official.entity, created_by=official)
    newer = TenderFactory(published=True, entity=official.official.entity, created_by=official)
    Tender.objects.filter(pk=older.pk).update(published_at=newer.published_at.replace(year=2025))

    for url, key in ((LIST_URL, "releases"), ("/api/v1/ocds/records/", "records")):
        first = Client().get(url)
        assert [r["ocid"] for r in first.json()[key]] == [newer.ocid]
        assert 'rel="next"' in first["Link"]
        assert [r["ocid"] for r in get_json(f"{url}?page=2")[key]] == [older.ocid]
        assert Client().get(f"{url}?page=3").status_code == 404


def test_before_opening_nothing_about_bids_is_published(official):
    tender = TenderFactory(published=True, entity=official.official.entity, created_by=official)
    user = bidder()
    submit(tender, user, price="87654321")

    package = get_json(release_url(tender))
    records = get_json(f"/api/v1/ocds/records/{tender.ocid}/")
    every = get_json(LIST_URL), get_json("/api/v1/ocds/records/"), package, records
    text = json.dumps(every, ensure_ascii=False)

    assert "87654321" not in text
    assert user.supplier_membership.supplier.registration_number not in text
    assert '"bids"' not in text
    [release] = package["releases"]
    assert "tenderers" not in release["tender"]
    assert "numberOfTenderers" not in release["tender"]
    assert [party["roles"] for party in release["parties"]] == [["buyer", "procuringEntity"]]
    assert_valid_ocds(package)
    assert_valid_ocds(records)


def test_the_extension_is_served_where_the_packages_say(official, live_site):
    tender = TenderFactory(published=True, entity=official.official.entity, created_by=official)
    extensions = get_json(release_url(tender))["extensions"]
    assert f"{live_site.url}/api/v1/ocds/extensions/koneps/extension.json" in extensions
    assert f"{live_site.url}/integrity/ocds-extension/extension.json" in extensions
    metadata = get_json("/api/v1/ocds/extensions/koneps/extension.json")
    assert metadata["schemas"] == ["release-schema.json"]
    assert metadata["documentationUrl"]["en"] == f"{live_site.url}/opendata/"
    schema = get_json("/api/v1/ocds/extensions/koneps/release-schema.json")
    assert "bids" in schema["properties"]
    assert Client().get("/api/v1/ocds/extensions/koneps/other.json").status_code == 404
    assert Client().get("/api/v1/ocds/extensions/unknown/extension.json").status_code == 404


def test_the_publication_policy_page_is_public_and_every_package_links_to_it(official):
    tender = TenderFactory(published=True, entity=official.official.entity, created_by=official)
    assert get_json(release_url(tender))["publicationPolicy"].endswith("/opendata/")
    page = Client().get("/opendata/")
    assert page.status_code == 200
    assert "/api/v1/ocds/records/" in page.content.decode()

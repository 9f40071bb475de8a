"""The public directory, profile pages, the sanctions register and the read-only API."""

import pytest
from django.urls import reverse

from suppliers.models import Classification, Supplier
from tests.factories import SanctionFactory, SupplierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved():
    supplier = SupplierFactory(
        name_ko="한빛정보통신",
        name_en="Hanbit ICT",
        registration_number="1248100998",
        contact_email="secret-contact@hanbit.example",
        phone="02-000-1111",
        representative="정대표",
    )
    supplier.classifications.set(Classification.objects.filter(code__in=["30200000", "72200000"]))
    return supplier


@pytest.fixture
def unvetted():
    return [
        SupplierFactory(name_en=f"Hidden {status}", status=status)
        for status in Supplier.Status.values
        if status != "approved"
    ]


def listed(response):
    return list(response.context["page_obj"])


def test_the_directory_lists_approved_companies_only(client, approved, unvetted):
    assert listed(client.get(reverse("suppliers:directory"))) == [approved]


@pytest.mark.parametrize("query", ["한빛", "hanbit", "124-81-00998", "1248100998", "12481"])
def test_the_directory_searches_names_and_registration_numbers(client, approved, query):
    SupplierFactory(name_ko="다른회사", name_en="Other Co.")
    assert listed(client.get(reverse("suppliers:directory"), {"q": query})) == [approved]


@pytest.mark.parametrize("code", ["302", "30200000", "30000000", "72"])
def test_the_directory_searches_by_classification_code_or_prefix(client, approved, code):
    builder = SupplierFactory()
    builder.classifications.set(Classification.objects.filter(code="45200000"))
    assert listed(client.get(reverse("suppliers:directory"), {"classification": code})) == [approved]


def test_the_directory_filters_by_division(client, approved):
    assert listed(client.get(reverse("suppliers:directory"), {"division": "72000000"})) == [approved]
    assert listed(client.get(reverse("suppliers:directory"), {"division": "45000000"})) == []


def test_the_directory_is_paginated(client):
    for _ in range(25):
        SupplierFactory()
    response = client.get(reverse("suppliers:directory"))
    assert len(listed(response)) == 20
    assert len(listed(client.get(reverse("suppliers:directory"), {"page": 2}))) == 5


def test_a_profile_shows_the_public_register_and_nothing_private(client, approved):
    response = client.get(approved.get_absolute_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert "124-81-00998" in content
    assert "정대표" in content
    assert "secret-contact@hanbit.example" not in content
    assert "02-000-1111" not in content
    assert "/suppliers/documents/" not in content


def test_companies_not_approved_have_no_public_profile(client, unvetted):
    for supplier in unvetted:
        assert client.get(reverse("suppliers:profile", args=[supplier.pk])).status_code == 404


def test_the_sanctions_register_is_public(client, approved):
    sanction = SanctionFactory(supplier=approved, legal_ground="국가계약법 제27조 제1항")
    response = client.get(reverse("suppliers:sanctions"))
    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [sanction]
    assert "국가계약법 제27조 제1항" in response.content.decode()


def test_the_register_can_show_only_the_sanctions_in_force(client, approved):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    running = SanctionFactory(supplier=approved)
    SanctionFactory(supplier=approved, starts_on=today - timedelta(days=400), ends_on=today - timedelta(days=35))
    response = client.get(reverse("suppliers:sanctions"), {"running": "1"})
    assert list(response.context["page_obj"]) == [running]


def test_a_debarred_company_profile_says_it_may_not_bid(client, approved):
    SanctionFactory(supplier=approved)
    response = client.get(approved.get_absolute_url())
    assert "may not bid" in response.content.decode()


def test_the_navigation_offers_the_directory_and_the_register_to_everyone(client):
    content = client.get("/").content.decode()
    assert reverse("suppliers:directory") in content
    assert reverse("suppliers:sanctions") in content
    assert reverse("suppliers:vetting_queue") not in content


# --- API ------------------------------------------------------------------------------------------------


def test_the_api_lists_approved_companies_without_contact_details(client, approved, unvetted):
    response = client.get("/api/v1/suppliers/")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["registration_number"] == "1248100998"
    assert [c["code"] for c in row["classifications"]] == ["30200000", "72200000"]
    assert "contact_email" not in row
    assert "phone" not in row


def test_the_api_filters_like_the_directory(client, approved):
    SupplierFactory(name_en="Other")
    assert [r["id"] for r in client.get("/api/v1/suppliers/", {"q": "hanbit"}).json()["results"]] == [approved.pk]
    assert client.get("/api/v1/suppliers/", {"classification": "45"}).json()["results"] == []


def test_the_api_has_no_detail_for_unvetted_companies(client, unvetted, approved):
    assert client.get(f"/api/v1/suppliers/{approved.pk}/").status_code == 200
    assert client.get(f"/api/v1/suppliers/{unvetted[0].pk}/").status_code == 404


def test_the_api_publishes_the_sanctions_register(client, approved):
    SanctionFactory(supplier=approved)
    [row] = client.get("/api/v1/sanctions/").json()["results"]
    assert row["supplier"]["registration_number"] == "1248100998"
    assert row["is_running"] is True
    assert client.get("/api/v1/sanctions/", {"running": "1"}).json()["count"] == 1

"""The audit log in words: what an auditor reads is a sentence with the record named and linked, the
values before and after with labels, times with their zone — and a CSV of the same."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from procurement.audit import audit_record
from procurement.roles import Role
from tests.factories import TenderFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor_client(client, auditor):
    client.force_login(auditor)
    return client


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"


def test_an_entry_reads_as_a_sentence_with_the_record_linked_and_the_change_in_words(auditor_client, english):
    official = UserFactory(role=Role.OFFICIAL, full_name="Kim Jodal", email="kim@buyer.example")
    tender = TenderFactory(published=True, title="Office chairs")
    tender.status = "cancelled"
    audit_record(
        actor=official,
        action="tender.cancel",
        obj=tender,
        data={"reason": "Budget withdrawn"},
        before={"status": "published"},
    )
    page = auditor_client.get(reverse("audit_log"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Kim Jodal" in page
    assert "cancelled" in page
    assert f'href="{tender.get_absolute_url()}"' in page
    assert "Office chairs" in page
    # Status codes as their labels, before and after; no Python dictionaries.
    assert "<del>Open for bids</del>" in page
    assert "<ins>Cancelled</ins>" in page
    assert "{'" not in page
    assert "procurement.user 5" not in page
    assert "Budget withdrawn" in page
    assert " KST</time>" in page  # the zone with every time


def test_amounts_and_times_inside_changes_are_formatted(auditor_client, english):
    tender = TenderFactory(published=True)
    audit_record(
        actor=None,
        action="tender.amend",
        obj=tender,
        data={"changes": {"estimated_value": {"from": Decimal("250000000.00"), "to": 260000000}}},
    )
    page = auditor_client.get(reverse("audit_log")).content.decode()
    assert "<del>250,000,000</del>" in page
    assert "<ins>260,000,000</ins>" in page


def test_a_login_names_the_person_not_a_table_and_number(auditor_client, english):
    person = UserFactory(full_name="Jung Gonggeup")
    audit_record(actor=person, action="account.log_in", obj=person)
    page = auditor_client.get(reverse("audit_log"), {"action": "account."}).content.decode()
    assert "Jung Gonggeup" in page
    assert "signed in" in page


def test_the_csv_has_the_sentence_the_changes_and_the_raw_fields(auditor_client, english):
    tender = TenderFactory(published=True, title="Laptops")
    tender.status = "cancelled"
    audit_record(actor=None, action="tender.cancel", obj=tender, before={"status": "published"})
    response = auditor_client.get(reverse("audit_log_csv"), {"action": "tender.cancel"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))
    assert rows[0][:4] == ["seq", "time", "actor", "sentence"]
    [row] = rows[1:]
    assert "cancelled" in row[3]
    assert "Laptops" in row[3]
    assert row[4] == "Status: Open for bids → Cancelled"
    assert row[5] == "tender.cancel"
    assert row[1].endswith("+09:00")


def test_only_auditors_and_admins_read_the_log_or_its_csv(client):
    supplier = UserFactory(role=Role.SUPPLIER)
    client.force_login(supplier)
    assert client.get(reverse("audit_log")).status_code == 403
    assert client.get(reverse("audit_log_csv")).status_code == 403


def test_every_action_the_code_writes_has_a_sentence():
    """A new action without a sentence would read as a code on the auditors' page."""
    import re
    from pathlib import Path

    from procurement.audit_words import SENTENCES

    root = Path(__file__).resolve().parents[2]
    apps = [folder for folder in root.iterdir() if (folder / "apps.py").exists() or folder.name == "procurement"]
    written = set()
    for app in apps:
        for path in app.rglob("*.py"):
            if "migrations" not in path.parts:
                written |= set(re.findall(r'action="([a-z_]+\.[a-z_.]+)"', path.read_text(encoding="utf-8")))
    assert written
    assert sorted(written - set(SENTENCES)) == []


def test_the_admin_audit_log_reads_in_the_same_words_with_times_in_their_zone(client, platform_admin, english):
    """The admin's list and detail say who did what to which record, not raw codes."""
    official = UserFactory(role=Role.OFFICIAL, full_name="Kim Jodal", email="kim@buyer.example")
    tender = TenderFactory(published=True, title="Office chairs")
    tender.status = "cancelled"
    entry = audit_record(
        actor=official,
        action="tender.cancel",
        obj=tender,
        data={"reason": "Budget withdrawn"},
        before={"status": "published"},
    )
    client.force_login(platform_admin)

    listing = client.get(reverse("admin:procurement_auditentry_changelist"), HTTP_ACCEPT_LANGUAGE="en")
    detail = client.get(reverse("admin:procurement_auditentry_change", args=[entry.pk]), HTTP_ACCEPT_LANGUAGE="en")

    for response in (listing, detail):
        assert response.status_code == 200
        page = response.content.decode()
        assert "Kim Jodal" in page
        assert "cancelled" in page
        assert f'href="{tender.get_absolute_url()}"' in page
        assert "Office chairs" in page
        assert " KST" in page
        assert "procurement.user" not in page
    detail_page = detail.content.decode()
    assert "Open for bids → Cancelled" in detail_page  # the change as labels, before and after
    assert "Budget withdrawn" in detail_page

"""Invariant 1: sealed until opening. Nobody but the bidder reads a bid before opening — not
officials, auditors, platform admins, the admin site, the API, exports, logs, error pages or a
database dump — and before the deadline nobody learns even how many bids there are."""

import logging
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from django.views.debug import ExceptionReporter

from bidding import services
from bidding.models import Bid
from bidding.selectors import progress_key
from tests.bidding.helpers import (
    bidder,
    close_and_open,
    pdf_with,
    published_tender,
    sealed_form_data,
    set_times,
    submit,
)
from tests.sealing import shares_release

PRICE = "987654321"
PHRASE = "ZEBRA-QUARTZ-7731"


def form_data(tender, user, documents=()):
    """The bid page's post: sealed in the browser, with a line and a document naming PHRASE."""
    return sealed_form_data(
        tender,
        user,
        price=PRICE,
        lines=[{"description": f"{PHRASE} widget", "quantity": "1", "unit_price": PRICE}],
        documents=documents,
    )


def plaintext_form_data():
    """What a page without its sealing script would post: refused."""
    return {
        "idempotency_key": str(uuid.uuid4()),
        "price": PRICE,
        "lines": f"{PHRASE} widget | 1 | {PRICE}",
        "no_conflict_of_interest": "on",
        "no_collusion": "on",
    }


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_before_opening_holds_neither_the_price_nor_the_document_text(client, tender):
    sam = bidder()
    client.force_login(sam)
    # Even the file name is sealed.
    documents = [(f"{PHRASE}.pdf", pdf_with(f"Our secret method: {PHRASE}"))]
    response = client.post(reverse("bidding:submit", args=[tender.pk]), form_data(tender, sam, documents))
    assert response.status_code == 302
    set_times(tender, deadline=-1)
    services.bid_close_tender(tender_id=tender.pk)  # after the deadline, before opening

    db = connection.settings_dict
    dump = subprocess.run(
        ["pg_dump", "-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"], db["NAME"]],
        capture_output=True,
        check=True,
    ).stdout
    assert len(dump) > 10_000
    assert b"bidding_bidversion" in dump
    assert PRICE.encode() not in dump
    assert PHRASE.encode() not in dump
    # Nothing on disk either: the media folder holds no plaintext (bid documents are never files).
    for path in settings.MEDIA_ROOT.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert PRICE.encode() not in content, path
            assert PHRASE.encode() not in content, path

    # After opening the values are public (the price) or stored for the entity (the document).
    set_times(tender, opening=-1)
    shares_release(tender)
    services.bid_open_all(tender_id=tender.pk)
    dump_after = subprocess.run(
        ["pg_dump", "-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"], db["NAME"]],
        capture_output=True,
        check=True,
    ).stdout
    assert PRICE.encode() in dump_after


@pytest.mark.django_db
def test_logs_never_carry_the_price(client, tender, caplog):
    sam = bidder()
    client.force_login(sam)
    with caplog.at_level(logging.DEBUG):
        client.post(reverse("bidding:submit", args=[tender.pk]), form_data(tender, sam))
        refused = client.post(reverse("bidding:submit", args=[tender.pk]), plaintext_form_data())
    assert b"must be sealed in your browser" in refused.content
    assert Bid.objects.count() == 1
    assert PRICE not in caplog.text
    assert PHRASE not in caplog.text


@pytest.mark.django_db
def test_an_error_report_of_the_submission_hides_the_posted_price(tender, monkeypatch):
    """Django's 500 e-mails and debug pages filter the fields sensitive_post_parameters names, and the
    local variables of functions marked sensitive_variables."""
    from bidding import views

    sam = bidder()

    def explode(**kwargs):
        raise RuntimeError("storage exploded")

    monkeypatch.setattr(views.services, "bid_submit", explode)
    request = RequestFactory().post(reverse("bidding:submit", args=[tender.pk]), form_data(tender, sam))
    request.user = sam
    request._dont_enforce_csrf_checks = True
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore

    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    try:
        views.bid_form(request, tender.pk)
    except RuntimeError:
        report = ExceptionReporter(request, *sys.exc_info())
        text = report.get_traceback_text() + report.get_traceback_html()
    else:  # pragma: no cover
        pytest.fail("the view should have raised")
    assert PRICE not in text
    assert PHRASE not in text
    assert "storage exploded" in text


# --- who can see what, page by page ----------------------------------------------------------------


@pytest.fixture
def sealed(tender):
    """Sam's sealed bid on the tender, before the deadline."""
    sam = bidder()
    version = submit(
        tender, sam, price=PRICE, documents=[("proposal.pdf", pdf_with(PHRASE))]
    ).version  # fmt: skip
    return sam, version


def _pages_about(bid, version):
    return [
        reverse("bidding:detail", args=[bid.pk]),
        reverse("bidding:receipt", args=[version.pk]),
        reverse("bidding:receipt_as", args=[version.pk, "json"]),
        reverse("bidding:receipt_as", args=[version.pk, "pdf"]),
        f"/api/v1/bids/{bid.pk}/",
    ]


@pytest.mark.django_db
def test_nobody_but_the_bidder_reads_the_bid_before_opening(
    client_for, tender, sealed, official, auditor, platform_admin, other_supplier_user, outsider
):
    sam, version = sealed
    bid = version.bid
    for user in (official, auditor, platform_admin, other_supplier_user, outsider, None):
        client = client_for(user)
        for url in _pages_about(bid, version):
            response = client.get(url)
            assert response.status_code in (302, 401, 403, 404), (user, url, response.status_code)
    own = client_for(sam)
    assert all(own.get(url).status_code == 200 for url in _pages_about(bid, version))


@pytest.mark.django_db
def test_nobody_learns_how_many_bids_there_are_before_the_deadline(
    client_for, tender, sealed, official, auditor, platform_admin, other_supplier_user
):
    """Every page and API answer about the tender is the same with one bid as with none."""
    empty = published_tender(entity=tender.entity, created_by=tender.created_by)
    # An opening-progress entry in the cache (stale, or written by anyone who reaches Redis) tells nothing.
    cache.set(progress_key(tender.pk), {"done": 1, "total": 1})
    for user in (official, auditor, platform_admin, other_supplier_user, None):
        client = client_for(user)
        for with_bid, without in (
            (tender.get_absolute_url(), empty.get_absolute_url()),
            *(
                (reverse(name, args=[tender.pk]), reverse(name, args=[empty.pk]))
                for name in ("bidding:opening", "bidding:opening_progress", "api-tender", "api-tender-opening")
            ),
        ):
            a, b = client.get(with_bid), client.get(without)
            assert a.status_code == b.status_code, (user, with_bid)
            normalised_a = _without_tender_identity(a.content.decode(), tender)
            normalised_b = _without_tender_identity(b.content.decode(), empty)
            assert normalised_a == normalised_b, (user, with_bid)


def _without_tender_identity(text: str, tender) -> str:
    import re

    for value in (tender.reference, tender.title, tender.ocid):
        text = text.replace(value, "•")
    text = text.replace(f"/{tender.pk}/", "/•/")
    text = re.sub(rf"([?&]tender=){tender.pk}\b", r"\1•", text)
    text = re.sub(rf'"id":\s*{tender.pk}\b', '"id":•', text)
    text = re.sub(r'"public_key":"[0-9a-f]+"', "", text)
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    text = re.sub(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)?", "<time>", text)
    text = re.sub(r"data-server-now=\"[^\"]*\"", "", text)
    return re.sub(r"\s+", " ", text)


@pytest.mark.django_db
def test_the_api_lists_only_the_callers_own_bids(client_for, tender, sealed, other_supplier_user, official, auditor):
    sam, version = sealed
    assert [b["id"] for b in client_for(sam).get("/api/v1/bids/").json()["results"]] == [version.bid_id]
    assert client_for(other_supplier_user).get("/api/v1/bids/").json()["results"] == []
    for user in (official, auditor):
        assert client_for(user).get("/api/v1/bids/").status_code == 403


@pytest.mark.django_db
def test_the_admin_site_shows_no_bid_before_opening_and_never_its_sealed_content(
    client_for, tender, sealed, platform_admin, auditor
):
    _sam, version = sealed
    client = client_for(platform_admin)
    for model, pk in (("bid", version.bid_id), ("bidversion", version.pk)):
        changelist = client.get(f"/admin/bidding/{model}/")
        assert changelist.status_code == 200
        assert f"/admin/bidding/{model}/{pk}/change/" not in changelist.content.decode()
        assert "0 bids" in changelist.content.decode() or "0 bid versions" in changelist.content.decode()
    assert client.get(f"/admin/bidding/bid/{version.bid_id}/change/").status_code in (302, 403, 404)
    assert client.get(f"/admin/bidding/bidversion/{version.pk}/change/").status_code in (302, 403, 404)
    assert client_for(auditor).get(f"/admin/bidding/bid/{version.bid_id}/change/").status_code in (302, 403, 404)
    # After opening the bid appears, with metadata only.
    close_and_open(tender)
    page = client.get(f"/admin/bidding/bidversion/{version.pk}/change/").content.decode()
    assert version.commitment in page
    assert PHRASE not in page
    assert "sealed_content" not in page
    listing = client.get("/admin/bidding/bid/").content.decode()
    assert f"/admin/bidding/bid/{version.bid_id}/change/" in listing


@pytest.mark.django_db
def test_the_audit_log_and_its_api_do_not_tie_a_bid_to_its_tender_before_the_deadline(
    client_for, tender, sealed, auditor
):
    _sam, _version = sealed
    entries = client_for(auditor).get("/api/v1/audit-log/").json()["results"]
    bid_entries = [e for e in entries if e["action"].startswith("bid.")]
    assert bid_entries
    for entry in bid_entries:
        text = str(entry)
        assert tender.reference not in text
        assert PRICE not in text
        assert entry["data"].get("tender") is None


@pytest.mark.django_db
def test_after_the_deadline_officials_see_the_count_but_still_not_the_bid(client_for, tender, sealed, official):
    _sam, version = sealed
    set_times(tender, deadline=-1)
    services.bid_close_tender(tender_id=tender.pk)
    client = client_for(official)
    assert "1 bid was received" in client.get(reverse("bidding:opening", args=[tender.pk])).content.decode()
    assert client.get(reverse("bidding:detail", args=[version.bid_id])).status_code == 404
    api = client_for(None).get(f"/api/v1/tenders/{tender.pk}/opening/").json()
    assert api["bids_received"] == 1
    assert api["commitments"] == [version.commitment]
    assert api["opening"] is None


@pytest.mark.django_db
def test_after_opening_the_entity_and_auditors_read_the_bid_but_other_suppliers_only_the_public_record(
    client_for, tender, sealed, official, auditor, other_supplier_user
):
    _sam, version = sealed
    close_and_open(tender)
    for user in (official, auditor):
        assert client_for(user).get(reverse("bidding:detail", args=[version.bid_id])).status_code == 200
    assert client_for(other_supplier_user).get(reverse("bidding:detail", args=[version.bid_id])).status_code == 404
    public = client_for(None).get(f"/api/v1/tenders/{tender.pk}/opening/").json()
    assert public["opening"]["bids"][0]["price"] == "987654321.00"
    opened = version.bid.opened
    doc_url = reverse("bidding:opened_document", args=[opened.pk, 0])
    assert client_for(official).get(doc_url).status_code == 200
    assert client_for(other_supplier_user).get(doc_url).status_code == 404


@pytest.mark.django_db
def test_auditors_exports_and_reports_carry_nothing_about_a_sealed_bid(client_for, tender, sealed, auditor):
    sam, _version = sealed
    client = client_for(auditor)
    for url in ("/reports/export/bids.csv", "/reports/export/tenders.csv", "/audit-log/"):
        response = client.get(url)
        assert response.status_code == 200, url
        text = b"".join(response.streaming_content if response.streaming else [response.content]).decode()
        assert PRICE not in text, url
        assert sam.supplier_membership.supplier.registration_number not in text, url
        # The audit log shows that a bid was submitted (with its commitment), never for which tender.
        if url == "/audit-log/":
            assert f"/tenders/{tender.pk}/" not in text
    bids_csv = b"".join(client.get("/reports/export/bids.csv").streaming_content).decode()
    assert bids_csv.strip().count("\n") == 0  # the header only

"""The rules at the right stage through the real services: bids sealed through the page and the API,
opening, evaluation and award; the sweep after each commit; who sees what; reviews; exports; API."""

import csv
import io
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from contracts import services as contracts
from integrity import services
from integrity.models import BidOrigin, Flag, TenderCheck
from integrity.tasks import integrity_nightly, integrity_sweep
from procurement.models import AuditEntry
from tests.bidding.helpers import bidder, close_and_open, published_tender, sealed_form_data, submit
from tests.factories import TenderFactory
from tests.integrity.market import audited_save
from tests.sealing import api_body

pytestmark = pytest.mark.django_db


def client_for(user=None, **headers) -> Client:
    client = Client(**headers)
    if user is not None:
        client.force_login(user)
    return client


def _bid_through_page(tender, user, price, ip, fingerprint=None):
    """What the bid page posts once the browser has sealed the bid, from the address `ip` (with the
    fingerprint bid_form.mjs computes, when given)."""
    data = sealed_form_data(tender, user, price=price.replace(",", ""))
    if fingerprint is not None:
        data["client_fingerprint"] = fingerprint
    response = client_for(user, REMOTE_ADDR=ip).post(reverse("bidding:submit", args=[tender.pk]), data)
    assert response.status_code == 302


@pytest.fixture
def identical_tender(official):
    """Two companies bid 97,000,000 through the bid page from one office address; a third elsewhere."""
    tender = published_tender(entity=official.official.entity, created_by=official)
    users = [bidder(), bidder(), bidder()]
    _bid_through_page(tender, users[0], "97,000,000", "203.0.113.7")
    _bid_through_page(tender, users[1], "97,000,000", "203.0.113.7")
    _bid_through_page(tender, users[2], "99,500,000", "198.51.100.20")
    integrity_sweep()  # after publication, as beat would (close_and_open moves the deadline to the past)
    return tender, users


def test_nothing_is_flagged_before_opening_and_the_sweep_flags_after_it(identical_tender):
    tender, _users = identical_tender
    assert BidOrigin.objects.filter(tender=tender).count() == 3
    integrity_sweep()
    assert not Flag.objects.filter(tenders=tender, stage__in=["opening", "award"]).exists()

    close_and_open(tender)
    integrity_sweep()  # the task body, as the worker runs it when beat sends it
    rules = set(Flag.objects.filter(tenders=tender).values_list("rule", flat=True))
    assert rules == {"identical_prices", "same_network"}
    assert TenderCheck.objects.get(tender=tender).opened_at is not None

    before = Flag.objects.count()
    integrity_sweep()
    assert Flag.objects.count() == before  # a second sweep finds nothing new to do


def test_the_bid_pages_fingerprint_is_kept_keyed_and_flags_two_companies_in_one_browser(official):
    """bid_form.mjs posts `client_fingerprint` ("fp1:" + SHA-256 of stable browser properties) with the
    sealed bid: the page path stores only its keyed hash, as the client's, and the same_browser rule
    flags two companies that bid from one browser (from different addresses), not a third."""
    tender = published_tender(entity=official.official.entity, created_by=official)
    users = [bidder(), bidder(), bidder()]
    one_browser, other_browser = "fp1:" + "ab" * 32, "fp1:" + "cd" * 32
    _bid_through_page(tender, users[0], "97,000,000", "203.0.113.7", one_browser)
    _bid_through_page(tender, users[1], "98,000,000", "198.51.100.20", one_browser)
    _bid_through_page(tender, users[2], "99,500,000", "192.0.2.99", other_browser)
    origins = {o.supplier_id: o for o in BidOrigin.objects.filter(tender=tender)}
    first, second, third = (origins[u.supplier_membership.supplier_id] for u in users)
    assert {o.fingerprint_source for o in origins.values()} == {"client"}
    assert first.fingerprint_hash == second.fingerprint_hash != third.fingerprint_hash
    assert first.fingerprint_hash == services._keyed(f"fp|{one_browser}")
    assert one_browser not in first.fingerprint_hash
    integrity_sweep()
    close_and_open(tender)
    integrity_sweep()
    [flag] = Flag.objects.filter(tenders=tender, rule="same_browser")
    flagged = set(flag.suppliers.values_list("pk", flat=True))
    assert flagged == {first.supplier_id, second.supplier_id}


def test_a_bid_through_the_api_records_its_origin_as_hashes_only(official, settings):
    tender = published_tender(entity=official.official.entity, created_by=official)
    user = bidder()
    response = client_for(user, REMOTE_ADDR="192.0.2.55").post(
        "/api/v1/bids/",
        api_body(tender, user.supplier_membership.supplier),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        HTTP_X_CLIENT_FINGERPRINT="fp-123",
    )  # fmt: skip
    assert response.status_code == 201
    origin = BidOrigin.objects.get(tender=tender)
    assert origin.fingerprint_source == "client"
    assert "192.0.2.55" not in origin.network_hash
    settings.INTEGRITY_HASH_KEY = "another-key"
    assert services._keyed("net|192.0.2.55") != origin.network_hash  # keyed: not a plain hash


def _award(official, tender):
    evaluation = contracts.evaluation_start(tender=tender, actor=official)
    contracts.assessment_review(assessment=contracts.next_for_review(evaluation), actor=official, passed=True)
    contracts.evaluation_complete(evaluation=evaluation, actor=official)
    tender.refresh_from_db()
    return contracts.award_propose(tender=tender, actor=official)


def test_the_public_sees_a_tenders_flags_only_after_the_award(identical_tender, official, outsider):
    tender, _users = identical_tender
    close_and_open(tender)
    integrity_sweep()
    page = client_for().get(tender.get_absolute_url()).content.decode()
    assert "Identical bid prices" not in page
    assert client_for().get(f"/api/v1/tenders/{tender.pk}/flags/").json() == []

    _award(official, tender)
    integrity_sweep()
    page = client_for().get(tender.get_absolute_url()).content.decode()
    assert "Identical bid prices" in page
    assert "Two or more companies bid exactly the same price." in page
    assert "203.0.113.7" not in page
    public = client_for(outsider).get(f"/api/v1/tenders/{tender.pk}/flags/").json()
    assert {f["rule"] for f in public} == {"identical_prices", "same_network"}
    assert "evidence" not in public[0]
    assert "review_note" not in public[0]


def test_a_draft_with_a_three_day_period_warns_its_official_only(official, outsider, auditor):
    draft = TenderFactory(entity=official.official.entity, created_by=official)
    draft.submission_deadline = timezone.now() + timedelta(days=3)
    audited_save(draft)
    for url in (draft.get_absolute_url(), reverse("tenders:edit", args=[draft.pk])):
        page = client_for(official).get(url).content.decode()
        assert "Integrity warnings before publication" in page
        assert "Short submission period" in page
        assert "below the legal minimum" in page
    relaxed = TenderFactory(entity=official.official.entity, created_by=official)  # ten days
    assert "Integrity warnings" not in client_for(official).get(relaxed.get_absolute_url()).content.decode()
    assert "Integrity warnings" not in client_for(auditor).get(draft.get_absolute_url()).content.decode()


@pytest.fixture
def flagged(identical_tender):
    tender, _users = identical_tender
    close_and_open(tender)
    integrity_sweep()
    return Flag.objects.get(tenders=tender, rule="identical_prices")


def test_only_auditors_reach_the_dashboard_flags_and_their_api(flagged, official, supplier_user, platform_admin):
    for user in (official, supplier_user, platform_admin):
        assert client_for(user).get(reverse("integrity:dashboard")).status_code == 403
        assert client_for(user).get(reverse("integrity:flag", args=[flagged.pk])).status_code == 403
        assert client_for(user).get(reverse("integrity:export_csv")).status_code == 403
        assert client_for(user).get("/api/v1/integrity/flags/").status_code == 403
        assert (
            client_for(user)
            .post(reverse("integrity:review", args=[flagged.pk]), {"outcome": "no_concern", "note": "x"})
            .status_code
            == 403
        )
    assert client_for().get(reverse("integrity:dashboard")).status_code == 302
    flagged.refresh_from_db()
    assert flagged.review == Flag.Review.OPEN


def test_the_auditor_filters_reviews_with_a_note_and_the_review_is_audited(flagged, auditor):
    client = client_for(auditor)
    page = client.get(reverse("integrity:dashboard"), {"rule": "identical_prices"}).content.decode()
    assert "Identical bid prices" in page
    assert client.get(reverse("integrity:dashboard"), {"rule": "single_bid"}).context["total"] == 0
    assert client.get(reverse("integrity:dashboard"), {"entity": flagged.entity_id}).context["total"] == 2
    assert (
        client.get(reverse("integrity:dashboard"), {"since": "2000-01-01", "until": "2000-12-31"}).context["total"] == 0
    )

    refused = client.post(reverse("integrity:review", args=[flagged.pk]), {"outcome": "referred", "note": ""})
    assert refused.status_code == 422
    response = client.post(
        reverse("integrity:review", args=[flagged.pk]),
        {"outcome": "referred", "note": "Same office address too; referred to the KFTC."},
    )
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert flagged.review == Flag.Review.REFERRED
    assert flagged.reviewed_by == auditor
    entry = AuditEntry.objects.get(action="integrity.flag_reviewed")
    assert entry.actor == auditor
    assert entry.data["note"] == "Same office address too; referred to the KFTC."


def test_csv_and_pdf_exports_carry_the_filtered_flags(flagged, auditor):
    client = client_for(auditor)
    response = client.get(reverse("integrity:export_csv"), {"rule": "identical_prices"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["flag_id", "rule", "title"]
    assert [r[1] for r in rows[1:]] == ["identical_prices"]
    assert "97000000.00" in rows[1][-1]
    pdf = client.get(reverse("integrity:export_pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert "Identical bid prices" in text
    assert "Bids sent from the same network address" in text


def test_the_api_lists_flags_for_auditors_and_takes_a_review(flagged, auditor):
    client = client_for(auditor)
    listed = client.get("/api/v1/integrity/flags/", {"rule": "identical_prices"}).json()
    assert [f["id"] for f in listed["results"]] == [flagged.pk]
    assert listed["results"][0]["evidence"]["groups"][0]["price"] == "97000000.00"
    response = client.post(
        f"/api/v1/integrity/flags/{flagged.pk}/review/",
        {"outcome": "no_concern", "note": "Catalogue price."},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["review"] == "no_concern"
    rules = client_for().get("/api/v1/integrity/rules/").json()
    assert {r["id"] for r in rules} >= {"single_bid", "bid_rotation", "market_group"}
    assert all(r["title"]["ko"] and r["rationale"]["en"] for r in rules)


def test_the_nightly_task_runs_every_rule(flagged):
    assert integrity_nightly() == 16


def test_a_suppliers_public_page_shows_its_bidding_history(identical_tender, official):
    tender, users = identical_tender
    close_and_open(tender)
    winner = _award(official, tender).supplier
    page = client_for().get(winner.get_absolute_url()).content.decode()
    assert "Bidding history" in page
    assert "1 bid opened, 1 won." in page
    assert "97.00%" in page
    assert "<svg" in page
    sealed = published_tender(entity=official.official.entity, created_by=official)
    submit(sealed, users[1])
    loser_page = client_for().get(users[1].supplier_membership.supplier.get_absolute_url()).content.decode()
    assert sealed.reference not in loser_page  # a sealed bid is never in the history


def test_an_unreadable_filter_is_refused_not_ignored(flagged, auditor):
    client = client_for(auditor)
    response = client.get("/api/v1/integrity/flags/", {"rule": "no_such_rule"})
    assert response.status_code == 422
    assert response.json()["field"] == "rule"
    page = client.get(reverse("integrity:dashboard"), {"since": "not-a-date"})
    assert page.context["total"] == 0
    assert "Enter a valid date." in page.content.decode()


def test_the_draft_check_follows_the_form_values_for_officials_only(official, supplier_user):
    soon = timezone.localtime(timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    later = timezone.localtime(timezone.now() + timedelta(days=12)).strftime("%Y-%m-%dT%H:%M")
    url = reverse("integrity:draft_check")
    fields = {"method": "open", "category": "goods"}
    short = client_for(official).get(url, {**fields, "submission_deadline": soon}).content.decode()
    assert "Short submission period" in short
    assert "below the legal minimum" in short
    assert (
        "Short submission"
        not in client_for(official).get(url, {**fields, "submission_deadline": later}).content.decode()
    )
    assert client_for(supplier_user).get(url, {**fields, "submission_deadline": soon}).status_code == 403
    new_form = client_for(official).get(reverse("tenders:create")).content.decode()
    assert 'id="integrity-draft-warnings"' in new_form

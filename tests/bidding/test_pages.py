"""The bid pages: the form (in-memory uploads), receipts (HTML, PDF, JSON), my bids, opening, verify."""

import base64
import io
import json
import re
import uuid

import pytest
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from bidding.models import Bid, BidVersion
from bidding.receipts import receipt_commitment_recompute
from tenders.models import Tender
from tests.bidding.helpers import bidder, close_and_open, pdf_with, sealed_form_data, set_times, submit
from tests.sealing import shares_release

pytestmark = pytest.mark.django_db


def form_data(tender, user, key=None, price="98765432", documents=()):
    """What the bid page posts after sealing in the browser."""
    return sealed_form_data(tender, user, price=price, documents=documents, key=key)


def test_the_tender_page_offers_the_bid_form_to_an_eligible_supplier(client_for, tender, supplier_user):
    page = client_for(supplier_user).get(tender.get_absolute_url())
    assert page.status_code == 200
    assert reverse("bidding:submit", args=[tender.pk]) in page.content.decode()


def test_the_bid_form_carries_a_fresh_idempotency_key(client_for, tender, supplier_user):
    client = client_for(supplier_user)
    pattern = re.compile(r'name="idempotency_key" value="([0-9a-f-]{36})"')
    url = reverse("bidding:submit", args=[tender.pk])
    keys = [pattern.search(client.get(url).content.decode()).group(1) for _ in range(2)]
    assert keys[0] != keys[1]


def test_submitting_the_form_seals_the_bid_and_shows_the_receipt(client_for, tender, supplier_user):
    client = client_for(supplier_user)
    data = form_data(tender, supplier_user, documents=[("technical-proposal.pdf", pdf_with("ZEBRA-QUARTZ-7731"))])
    response = client.post(reverse("bidding:submit", args=[tender.pk]), data)
    version = BidVersion.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("bidding:receipt", args=[version.pk])
    receipt = client.get(response.url).content.decode()
    assert version.commitment in receipt
    assert tender.reference in receipt
    assert "98765432" not in receipt
    assert "98,765,432" not in receipt


def test_a_double_submitted_form_gives_one_bid_and_the_same_receipt(client_for, tender, supplier_user):
    client = client_for(supplier_user)
    key = uuid.uuid4()
    first = client.post(reverse("bidding:submit", args=[tender.pk]), form_data(tender, supplier_user, key=key))
    second = client.post(reverse("bidding:submit", args=[tender.pk]), form_data(tender, supplier_user, key=key))
    assert first.url == second.url
    assert BidVersion.objects.count() == 1


def test_a_large_document_stays_in_memory_and_never_reaches_a_temporary_file(
    client_for, tender, supplier_user, monkeypatch
):
    def refuse(*args, **kwargs):
        raise AssertionError("plaintext spooled to a temporary file")

    monkeypatch.setattr(TemporaryUploadedFile, "__init__", refuse)
    big = pdf_with("x" * 3_000_000)  # above FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)
    response = client_for(supplier_user).post(
        reverse("bidding:submit", args=[tender.pk]), form_data(tender, supplier_user, documents=[("big.pdf", big)])
    )
    assert response.status_code == 302
    assert BidVersion.objects.get().documents.count() == 1


def test_a_document_over_the_limit_is_refused_without_submitting(client_for, tender, supplier_user, settings):
    from bidding import uploads

    huge = b"%PDF-1.4\n" + b"0" * (uploads.MAX_FILE_BYTES + 10)
    response = client_for(supplier_user).post(
        reverse("bidding:submit", args=[tender.pk]), form_data(tender, supplier_user, documents=[("huge.pdf", huge)])
    )
    assert response.status_code == 200
    assert "larger than the limit" in response.content.decode()
    assert not BidVersion.objects.exists()


def test_the_bid_page_gives_its_script_the_public_key_and_the_rules_to_check(client_for, reserve_tender, supplier_user):
    page = client_for(supplier_user).get(reverse("bidding:submit", args=[reserve_tender.pk])).content.decode()
    config = json.loads(re.search(r'<script id="bid-sealing" type="application/json">(.*?)</script>', page).group(1))
    assert base64.b64decode(config["public_key"]) == bytes(reserve_tender.public_key)
    assert (config["reserve_count"], config["picks_required"], config["exponent"]) == (15, 2, 0)
    assert config["supplier"] == supplier_user.supplier_membership.supplier_id
    assert "Pick exactly 2 of the 15" in config["messages"]["picks"]
    assert 'src="/static/js/bid_form.mjs"' in page


def test_a_late_form_submission_is_refused_with_a_clear_message(client_for, tender, supplier_user):
    client = client_for(supplier_user)
    data = form_data(tender, supplier_user)
    set_times(tender, deadline=-1)
    response = client.post(reverse("bidding:submit", args=[tender.pk]), data)
    assert response.status_code in (200, 403)
    assert "deadline has passed" in response.content.decode()
    assert not Bid.objects.exists()


def test_a_supplier_can_replace_and_then_withdraw_from_the_bid_page(client_for, tender, supplier_user):
    client = client_for(supplier_user)
    client.post(reverse("bidding:submit", args=[tender.pk]), form_data(tender, supplier_user))
    client.post(reverse("bidding:submit", args=[tender.pk]), form_data(tender, supplier_user, price="97000000"))
    bid = Bid.objects.get()
    page = client.get(bid.get_absolute_url()).content.decode()
    assert page.count("portal-hash") >= 2  # both versions listed with their commitments
    response = client.post(reverse("bidding:withdraw", args=[bid.pk]), {"confirm": "on"})
    assert response.url == reverse("bidding:withdrawal_receipt", args=[bid.pk])
    assert "withdrawal" in client.get(response.url).content.decode().lower()
    assert Bid.objects.get().status == Bid.Status.WITHDRAWN


def test_my_bids_lists_only_the_companys_own_bids(client_for, tender, supplier_user, other_supplier_user):
    submit(tender, supplier_user)
    assert tender.title in client_for(supplier_user).get(reverse("bidding:my_bids")).content.decode()
    assert tender.title not in client_for(other_supplier_user).get(reverse("bidding:my_bids")).content.decode()


def test_my_bids_is_in_the_navigation_of_suppliers_only(client_for, supplier_user, official):
    assert reverse("bidding:my_bids") in client_for(supplier_user).get("/").content.decode()
    assert reverse("bidding:my_bids") not in client_for(official).get("/").content.decode()


def test_the_json_receipt_recomputes_to_its_commitment(client_for, tender, supplier_user):
    version = submit(tender, supplier_user, documents=[("a.pdf", pdf_with("a"))]).version
    response = client_for(supplier_user).get(reverse("bidding:receipt_as", args=[version.pk, "json"]))
    receipt = json.loads(response.content)
    assert receipt["commitment"] == version.commitment
    assert receipt["tender"]["reference"] == tender.reference
    assert receipt["version"] == 1
    assert receipt["server_time"].startswith(version.submitted_at.isoformat()[:19])
    assert len(receipt["ciphertext_sha256"]) == 2
    assert (
        receipt_commitment_recompute(
            tender_reference=receipt["tender"]["reference"],
            supplier_id=receipt["supplier"]["id"],
            version=receipt["version"],
            hashes=receipt["ciphertext_sha256"],
        )
        == version.commitment
    )


def test_the_pdf_receipt_shows_the_commitment_and_korean_text(client_for, tender, supplier_user):
    version = submit(tender, supplier_user).version
    client = client_for(supplier_user)
    response = client.get(reverse("bidding:receipt_as", args=[version.pk, "pdf"]), HTTP_ACCEPT_LANGUAGE="ko")
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert version.commitment in text.replace("\n", "")
    assert tender.title in text  # 테스트 공고 …: Hangul rendered with the embedded font
    assert tender.reference in text


def test_an_unknown_receipt_format_is_not_found(client_for, tender, supplier_user):
    version = submit(tender, supplier_user).version
    assert client_for(supplier_user).get(reverse("bidding:receipt_as", args=[version.pk, "xml"])).status_code == 404


def test_the_opening_page_shows_nothing_before_the_deadline(client_for, tender, supplier_user):
    submit(tender, supplier_user)
    page = client_for().get(reverse("bidding:opening", args=[tender.pk])).content.decode()
    assert "Nothing about them" in page
    assert "portal-hash" not in page


def test_after_the_deadline_the_page_shows_the_count_and_commitments_but_no_names(client_for, tender):
    sam, tara = bidder(), bidder()
    commitments = [submit(tender, user).version.commitment for user in (sam, tara)]
    set_times(tender, deadline=-1)
    from bidding.services import bid_close_tender

    bid_close_tender(tender_id=tender.pk)
    page = client_for().get(reverse("bidding:opening", args=[tender.pk])).content.decode()
    assert "2 bids were received" in page
    assert all(c in page for c in commitments)
    assert sam.supplier_membership.supplier.name not in page
    poll = 'hx-get="' + reverse("bidding:opening_progress", args=[tender.pk])
    assert poll not in page  # the opening is hours away: no polling all day
    set_times(tender, opening=60)
    assert poll in client_for().get(reverse("bidding:opening", args=[tender.pk])).content.decode()


def test_after_opening_the_record_shows_bidders_prices_ranks_and_a_chart(client_for, tender):
    sam, tara = bidder(), bidder()
    submit(tender, sam, price="95000000")
    flagged = submit(tender, tara, price="90000000").version
    BidVersion.objects.filter(pk=flagged.pk).update(sealed_content=b"tampered")
    close_and_open(tender)
    page = client_for().get(reverse("bidding:opening", args=[tender.pk])).content.decode()
    assert sam.supplier_membership.supplier.name in page
    assert tara.supplier_membership.supplier.name in page
    assert "95,000,000" in page
    assert "Flagged: commitment check failed" in page
    assert "<svg" in page
    assert "bidding-chart__dot" in page
    assert "style=" not in page  # CSP: no inline styles


def test_the_reserve_price_table_is_public_after_opening(client_for, reserve_tender):
    submit(reserve_tender, bidder(), price="95000000", picks=(3, 4))
    record = close_and_open(reserve_tender)
    page = client_for().get(reverse("bidding:opening", args=[reserve_tender.pk])).content.decode()
    assert "Planned price" in page
    assert f"{int(record.planned_price):,}" in page
    assert all(f"{int(float(r['value'])):,}" in page for r in record.reserve_prices)


def test_the_reserve_picks_are_drawn_as_labelled_bars_beside_the_table(client_for, reserve_tender):
    submit(reserve_tender, bidder(), price="95000000", picks=(3, 4))
    submit(reserve_tender, bidder(), price="96000000", picks=(3, 9))
    record = close_and_open(reserve_tender)
    page = client_for().get(reverse("bidding:opening", args=[reserve_tender.pk])).content.decode()
    assert page.count('class="bidding-chart__bar') == len(record.reserve_prices) == 15
    used = sum(1 for r in record.reserve_prices if r["chosen"])
    assert page.count('class="bidding-chart__bar is-chosen"') == used == 4
    assert "Reserve price 3: 2 picks" in page  # each bar says what it shows
    assert "Reserve price number" in page
    assert ">Picks</text>" in page
    assert "Bid price, % of the planned price" in page


def test_the_tallest_bar_is_the_most_picked_price():
    from bidding.charts import reserve_picks
    from bidding.models import OpeningRecord

    prices = [{"number": n, "value": "1", "picks": {2: 6, 5: 3}.get(n, 0), "chosen": n in (2, 5)} for n in range(1, 16)]
    chart = reserve_picks(OpeningRecord(reserve_prices=prices))
    heights = {bar.label: bar.height for bar in chart["bars"]}
    assert max(heights, key=heights.get) == "2"
    assert heights["5"] == heights["2"] / 2
    assert heights["1"] == 0
    assert [line.label for line in chart["gridlines"]][-1] == "6"


def test_the_progress_fragment_reports_n_of_m(client_for, tender):
    from django.core.cache import cache

    from bidding import selectors, services

    set_times(tender, deadline=-2, opening=-1)
    services.bid_close_tender(tender_id=tender.pk, actor=None)  # the opening runs after closing
    cache.set(selectors.progress_key(tender.pk), {"done": 3, "total": 7})
    fragment = client_for().get(reverse("bidding:opening_progress", args=[tender.pk])).content.decode()
    assert "3 of 7 bids" in fragment


def test_the_progress_fragment_asks_htmx_to_refresh_once_opened(client_for, tender):
    close_and_open(tender)
    response = client_for().get(reverse("bidding:opening_progress", args=[tender.pk]), HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true"


def test_an_official_of_the_entity_can_open_now_once_the_opening_time_has_passed(client_for, tender, official):
    submit(tender, bidder())
    set_times(tender, deadline=-5, opening=60)
    client = client_for(official)
    client.post(reverse("bidding:open_now", args=[tender.pk]))
    tender.refresh_from_db()
    assert tender.status == Tender.Status.PUBLISHED  # too early: nothing happened (it did not even close)
    set_times(tender, opening=-1)
    shares_release(tender)
    assert "Open now" in client.get(tender.get_absolute_url()).content.decode()
    client.post(reverse("bidding:open_now", args=[tender.pk]))
    tender.refresh_from_db()
    assert tender.status == Tender.Status.OPENED
    assert tender.opening_record.opened_by == official


def test_an_official_of_another_entity_cannot_open(client_for, tender):
    from tests.conftest import enrol_totp
    from tests.factories import OfficialFactory

    rival = OfficialFactory().user
    enrol_totp(rival)
    set_times(tender, deadline=-5, opening=-1)
    assert client_for(rival).post(reverse("bidding:open_now", args=[tender.pk])).status_code == 403
    tender.refresh_from_db()
    assert tender.status == Tender.Status.PUBLISHED


def test_the_verify_page_matches_a_receipt_against_the_opening_record(client_for, tender, supplier_user):
    version = submit(tender, supplier_user).version
    client = client_for()
    before = client.get(reverse("bidding:verify"), {"commitment": version.commitment}).content.decode()
    assert "No match" in before  # before the deadline the record does not know it, like any unknown hash
    close_and_open(tender)
    after = client.get(reverse("bidding:verify"), {"commitment": version.commitment}).content.decode()
    assert "Verified" in after
    receipt_json = client_for(supplier_user).get(reverse("bidding:receipt_as", args=[version.pk, "json"])).content
    upload = io.BytesIO(receipt_json)
    upload.name = "receipt.json"
    posted = client.post(reverse("bidding:verify"), {"receipt": upload}).content.decode()
    assert "Verified" in posted
    assert "give its commitment" in posted


def test_the_verify_command_checks_a_json_receipt(tmp_path, client_for, tender, supplier_user):
    version = submit(tender, supplier_user).version
    path = tmp_path / "receipt.json"
    path.write_bytes(client_for(supplier_user).get(reverse("bidding:receipt_as", args=[version.pk, "json"])).content)
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("verify_receipt", str(path), stdout=io.StringIO())
    close_and_open(tender)
    out = io.StringIO()
    call_command("verify_receipt", str(path), stdout=out)
    assert "verified" in out.getvalue().lower()
    doctored = json.loads(path.read_text())
    doctored["version"] = 2
    path.write_text(json.dumps(doctored))
    with pytest.raises(CommandError):
        call_command("verify_receipt", str(path), stdout=io.StringIO())


def test_the_bid_form_still_checks_csrf_although_it_swaps_the_upload_handlers(tender, supplier_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(supplier_user)
    response = client.post(reverse("bidding:submit", args=[tender.pk]), form_data(tender, supplier_user))
    assert response.status_code == 403
    assert not Bid.objects.exists()

"""The public verifier page re-runs an opening in Chromium (libsodium in the browser) and agrees with
an honest record, flags the bid tampered with in the database as the portal did, and names a price
changed in the published record afterwards (its messages are the template's translated strings)."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from bidding.models import OpenedBid
from tests.bidding.helpers import opened_tender
from tests.sealclient.helpers import opened_reserve_tender
from tests.support.tamper import behind_the_services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _verify_page(page, tender):
    page.goto(f"/bids/tender/{tender.pk}/opening/verify/")
    root = page.locator("#verify-root")
    expect(root).to_have_attribute("data-verified", re.compile(r"agrees|differs|error"), timeout=30_000)
    return root


def test_the_verifier_page_agrees_and_flags_the_tampered_bid_like_the_portal(page):
    tender, _record, users = opened_reserve_tender()
    tampered = users[4].supplier_membership.supplier

    page.goto(f"/bids/tender/{tender.pk}/opening/")
    flagged = page.locator("tr.is-flagged")
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text("Flagged: commitment check failed")
    page.get_by_role("link", name="Re-run this opening in your browser").click()

    root = page.locator("#verify-root")
    expect(root).to_have_attribute("data-verified", "agrees", timeout=30_000)
    expect(page.locator("#verify-verdict")).to_have_text(re.compile("agrees with the sealed data"))
    expect(page.locator("#verify-summary")).to_contain_text("Planned price 98401000, floor price 86341958.")
    row = page.locator(f"tr[data-supplier-id='{tampered.pk}'] [data-recomputed]")
    expect(row).to_have_text("Commitment check failed")
    first = page.locator(f"tr[data-supplier-id='{users[1].supplier_membership.supplier_id}'] [data-recomputed]")
    expect(first).to_have_text("Valid · rank 1 (tie)")


def test_the_verifier_page_names_a_price_changed_in_the_record_after_opening(page):
    tender, _record, users = opened_reserve_tender()
    supplier = users[3].supplier_membership.supplier
    with behind_the_services():
        OpenedBid.objects.filter(bid__supplier=supplier).update(price=Decimal(97_000_000), outcome="ranked", rank=1)

    root = _verify_page(page, tender)
    expect(root).to_have_attribute("data-verified", "differs")
    differences = page.locator("#verify-differences li")
    expect(differences).to_have_count(3)
    expect(differences.nth(0)).to_have_text(
        f"Bid of {supplier.name_en}: result published as “Valid”, recomputed as “Above the planned price”."
    )
    expect(differences.nth(1)).to_have_text(
        f"Bid of {supplier.name_en}: price published 97000000.00, recomputed 120000000."
    )
    expect(differences.nth(2)).to_have_text(f"Bid of {supplier.name_en}: rank published 1, recomputed —.")


def test_the_verifier_page_names_the_winner_of_a_lowest_price_tender(page):
    tender, _record, users = opened_tender(prices=(Decimal(95_000_000), Decimal(90_000_000)))
    _verify_page(page, tender)
    expect(page.locator("#verify-root")).to_have_attribute("data-verified", "agrees")
    winner = users[1].supplier_membership.supplier
    expect(page.locator("#verify-summary")).to_have_text(f"Bids re-opened: 2. Ranked first: {winner.name_en}.")


def test_the_verifier_page_names_a_bid_replaced_after_the_deadline_once(page):
    """The bundle carries the commitments published at closing: a bid swapped afterwards (new ciphertext,
    recomputed commitment) is one plain difference, not a cascade of prices, ranks and picks."""
    from bidding import services
    from bidding.models import BidVersion
    from sealclient import sealing
    from sealclient.sealing import commitment
    from tests.bidding.helpers import bidder, published_tender, set_times, submit
    from tests.sealing import shares_release

    tender = published_tender()
    honest, swapper = bidder(), bidder()
    submit(tender, honest, price="95000000")
    version = submit(tender, swapper, price="97000000").version
    set_times(tender, deadline=-2)
    services.bid_close_tender(tender_id=tender.pk)
    shares_release(tender)
    forged = sealing.bid_seal(
        bytes(tender.public_key),
        sealing.bid_content(
            tender_reference=tender.reference,
            supplier_id=version.supplier_id,
            currency=tender.currency,
            price=60_000_000,
            reserve_picks=(),
            documents=(),
        ),
    )
    with behind_the_services():
        BidVersion.objects.filter(pk=version.pk).update(
            sealed_content=forged.content_ct,
            commitment=commitment(
                ciphertexts=[forged.content_ct], tender_ref=tender.reference, supplier_id=version.supplier_id, version=1
            ),
        )
    set_times(tender, opening=-1)
    services.bid_open_all(tender_id=tender.pk)

    _verify_page(page, tender)
    differences = page.locator("#verify-differences li")
    expect(differences).to_have_count(1)
    name = swapper.supplier_membership.supplier.name_en
    expect(differences.first).to_have_text(
        f"Bid of {name}: its commitment is not among those published at the deadline,"
        " so the bid was replaced after bidding closed."
    )

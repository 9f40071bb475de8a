"""An anonymous visitor keeps the platform honest: saves a signed head, later checks in the browser
that a newer head extends it, and checks a bid receipt's inclusion proof."""

import json

import pytest
from django.test import Client
from playwright.sync_api import expect

from procurement.audit import audit_record
from tests.bidding.helpers import bidder, published_tender, submit
from tests.support.transparency import signed_head_of_everything

pytestmark = pytest.mark.django_db(transaction=True)


def _check(page, field: str, text: str, button: str, result: str):
    page.locator(field).fill(text)
    page.get_by_role("button", name=button).click()
    outcome = page.locator(result)
    expect(outcome).to_have_attribute("data-outcome", "ok")
    return outcome


def test_a_visitor_saves_a_head_verifies_a_newer_one_and_checks_a_receipt(page):
    for n in range(5):
        audit_record(actor=None, action="test.before", object_type="t", object_id=n)
    first = signed_head_of_everything()

    page.goto("/transparency/")
    saved = page.locator("#tl-latest-json").input_value()
    assert json.loads(saved)["tree_size"] == first.tree_size

    # Later: a supplier bids, the log grows, a new head is signed.
    tender, sam = published_tender(), bidder()
    version = submit(tender, sam).version
    second = signed_head_of_everything()
    assert second.tree_size > first.tree_size
    supplier = Client()
    supplier.force_login(sam)
    receipt = supplier.get(f"/bids/receipts/{version.pk}.json").content.decode()

    page.goto("/transparency/")
    expect(page.locator("#tl-latest-size")).to_have_text(str(second.tree_size))
    verdict = _check(page, "#tl-saved-head", saved, "Verify the latest head against it", "#tl-consistency-result")
    expect(verdict).to_contain_text(f"({second.tree_size} entries) extends the head you saved ({first.tree_size}")

    # A head with a forged root is not the log's: its signature does not hold.
    forged = json.loads(saved) | {"root_hash": "00" * 32}
    page.locator("#tl-saved-head").fill(json.dumps(forged))
    page.get_by_role("button", name="Verify the latest head against it").click()
    expect(page.locator("#tl-consistency-result")).to_have_attribute("data-outcome", "bad")
    expect(page.locator("#tl-consistency-result")).to_contain_text("NOT valid")

    verdict = _check(page, "#tl-receipt", receipt, "Check the inclusion proof", "#tl-inclusion-result")
    leaf = json.loads(receipt)["transparency"]["leaf_index"]
    expect(verdict).to_contain_text(f"is leaf {leaf} of the signed tree of {second.tree_size} entries")

    # A receipt whose entry was edited no longer hashes to its leaf.
    tampered = json.loads(receipt)
    tampered["transparency"]["entry"] = tampered["transparency"]["entry"].replace('"version":1', '"version":2')
    page.locator("#tl-receipt").fill(json.dumps(tampered))
    page.get_by_role("button", name="Check the inclusion proof").click()
    expect(page.locator("#tl-inclusion-result")).to_have_attribute("data-outcome", "bad")

"""A bid receipt carries the inclusion proof of its audit entry once a signed head covers it."""

import json

import pytest
from django.core.management import call_command

from bidding.receipts import receipt_for_version
from tests.bidding.helpers import submit
from tests.support.transparency import signed_head_of_everything

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_receipt_says_pending_until_its_entry_is_in_a_signed_head_then_carries_a_proof(
    tender, supplier_user, client_for, tmp_path
):
    version = submit(tender, supplier_user).version
    pending = client_for(supplier_user).get(f"/bids/receipts/{version.pk}.json").json()
    assert pending["transparency"]["status"] == "pending"
    signed_head_of_everything()
    receipt = client_for(supplier_user).get(f"/bids/receipts/{version.pk}.json").json()
    proof = receipt["transparency"]
    assert proof["status"] == "included"
    assert json.loads(proof["entry"])["data"]["commitment"] == version.commitment
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt))
    call_command("verify_transparency_log", proof=str(path))
    html = client_for(supplier_user).get(receipt_for_version(version).html_url).content.decode()
    assert f"leaf {proof['leaf_index']} of the signed tree" in html

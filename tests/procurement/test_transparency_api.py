"""The transparency log as outsiders see it: public heads and proofs, entries for auditors, the page."""

import base64
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from procurement import transparency
from procurement.audit import audit_record
from tests.support.transparency import signed_head_of_everything

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def published_log():
    """Seven entries under one signed head, then four more under a second one."""
    first = [audit_record(actor=None, action="test.a", object_type="t", object_id=n) for n in range(7)]
    head_one = signed_head_of_everything()
    second = [audit_record(actor=None, action="test.b", object_type="t", object_id=n) for n in range(4)]
    head_two = signed_head_of_everything()
    return first + second, head_one, head_two


def _get(client, name, **params):
    response = client.get(reverse(name), params)
    return response.status_code, response.json()


def test_anyone_gets_the_public_key_and_a_head_it_verifies(published_log):
    _, _, head_two = published_log
    status, info = _get(Client(), "api-transparency")
    assert status == 200
    head = transparency.SignedHead.from_json(info["latest_head"])
    assert head.tree_size == head_two.tree_size
    key = bytes.fromhex(info["public_key"])
    assert base64.b64decode(info["public_key_base64"]) == key
    assert transparency.head_signature_ok(public_key=key, head=head)


def test_an_inclusion_proof_from_the_api_proves_the_entry_in_the_signed_head(published_log):
    entries, _, _ = published_log
    status, proof = _get(Client(), "api-transparency-inclusion", seq=entries[2].seq)
    assert status == 200
    entry_bytes = proof["entry"].encode()
    assert json.loads(entry_bytes)["seq"] == entries[2].seq
    assert transparency.leaf_hash(entry_bytes).hex() == proof["leaf_hash"] == entries[2].hash
    assert transparency.verify_inclusion(
        leaf=bytes.fromhex(proof["leaf_hash"]),
        index=proof["leaf_index"],
        tree_size=proof["tree_size"],
        proof=[bytes.fromhex(p) for p in proof["audit_path"]],
        root=bytes.fromhex(proof["head"]["root_hash"]),
    )


def test_a_consistency_proof_links_the_older_head_to_the_newer(published_log):
    _, head_one, head_two = published_log
    status, body = _get(Client(), "api-transparency-consistency", first=head_one.tree_size)
    assert status == 200
    assert body["second"] == head_two.tree_size
    assert transparency.verify_consistency(
        first=head_one.tree_size,
        second=head_two.tree_size,
        first_root=bytes.fromhex(head_one.root_hash),
        second_root=bytes.fromhex(head_two.root_hash),
        proof=[bytes.fromhex(p) for p in body["proof"]],
    )


def test_the_public_leaves_recompute_every_signed_root(published_log):
    _, head_one, head_two = published_log
    _, body = _get(Client(), "api-transparency-leaves", start=0)
    hashes = [bytes.fromhex(leaf["leaf_hash"]) for leaf in body["leaves"]]
    for head in (head_one, head_two):
        assert transparency.tree_root(hashes[: head.tree_size]).hex() == head.root_hash


def test_bad_parameters_get_clear_errors(published_log):
    _, _, head_two = published_log
    assert Client().get(reverse("api-transparency-inclusion"), {"seq": "x"}).status_code == 422
    assert Client().get(reverse("api-transparency-consistency"), {"first": 5, "second": 3}).status_code == 422
    beyond = {"first": 1, "second": head_two.tree_size + 50}
    assert Client().get(reverse("api-transparency-consistency"), beyond).status_code == 404


def test_full_entries_with_actor_ids_are_for_auditors_only(published_log, auditor, supplier_user):
    assert Client().get(reverse("api-transparency-entries")).status_code in (401, 403)
    supplier = Client()
    supplier.force_login(supplier_user)
    assert supplier.get(reverse("api-transparency-entries")).status_code == 403
    audrey = Client()
    audrey.force_login(auditor)
    body = audrey.get(reverse("api-transparency-entries"), {"start": 0}).json()
    assert len(body["entries"]) == 11
    for row in body["entries"]:
        assert transparency.leaf_hash(row["entry"].encode()).hex() == row["leaf_hash"]
        assert json.loads(row["entry"])["actor"] == row["actor"]


def test_the_transparency_page_publishes_the_key_and_the_latest_head(published_log):
    _, _, head_two = published_log
    response = Client().get(reverse("transparency"))
    assert response.status_code == 200
    html = response.content.decode()
    assert head_two.public_key in html
    assert head_two.root_hash in html
    assert 'type="module"' in html
    assert "<script>" not in html


def test_the_verify_command_checks_an_api_proof_offline(published_log, tmp_path):
    entries, _, _ = published_log
    proof = Client().get(reverse("api-transparency-inclusion"), {"seq": entries[5].seq}).json()
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(proof))
    call_command("verify_transparency_log", proof=str(path))
    proof["audit_path"][0] = "00" * 32
    path.write_text(json.dumps(proof))
    with pytest.raises(CommandError, match="does NOT show"):
        call_command("verify_transparency_log", proof=str(path))

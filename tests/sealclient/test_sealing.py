"""The reference client seals what the portal opens, and nobody with fewer than k shares opens it."""

import hashlib
import json
from decimal import Decimal

import pytest

from sealclient import sealing
from sealclient.reserve import reserve_values_outside_slices
from sealclient.rules import bid_open

FAST = {"opslimit": 1, "memlimit": 8192}  # Argon2id's minimum: these tests are about formats, not cost


def test_a_sealed_bid_opens_only_with_the_tender_key_and_its_hash_proves_the_content():
    public, private = sealing.keypair()
    content = sealing.bid_content(tender_reference="T-1", supplier_id=7, currency="KRW", price="98765000")
    sealed = sealing.bid_seal(public, content, [sealing.Document("offer.pdf", b"%PDF offer", "application/pdf")])
    assert b"98765000" not in sealed.content_ct
    opened = sealing.unseal(private, sealed.content_ct)
    assert json.loads(opened)["documents"][0]["sha256"] == hashlib.sha256(b"%PDF offer").hexdigest()
    assert sealing.plaintext_hash_check(salt=sealed.salt, content=opened, expected=sealed.plaintext_hash)
    assert not sealing.plaintext_hash_check(salt=bytes(16), content=opened, expected=sealed.plaintext_hash)
    with pytest.raises(sealing.SealingError, match="does not open"):
        sealing.unseal(sealing.keypair()[1], sealed.content_ct)


def test_the_portal_and_the_client_compute_the_same_commitment():
    from procurement.sealing import commitment as portal_commitment

    public, _private = sealing.keypair()
    sealed = sealing.bid_seal(public, {"x": 1}, [b"doc"])
    assert sealed.commitment(tender_ref="T-1", supplier_id=3, version=2) == portal_commitment(
        ciphertexts=sealed.ciphertexts(), tender_ref="T-1", supplier_id=3, version=2
    )


def test_the_ceremony_needs_k_custodians_and_the_platform_can_be_one_of_them():
    custodians = [sealing.custodian_enrol(f"passphrase {i}", **FAST) for i in range(3)]
    ceremony = sealing.tender_ceremony([public for public, _blob in custodians], 2)
    shares = [
        sealing.share_unseal(sealing.custodian_key_unwrap(blob, f"passphrase {i}"), ceremony.sealed_shares[i])
        for i, (_public, blob) in enumerate(custodians)
    ]
    assert sealing.tender_key_recombine([shares[0], shares[2]], ceremony.public_key) == ceremony.private_key
    with pytest.raises(sealing.SealingError, match="too few"):
        sealing.tender_key_recombine([*shares[:1], sealing.keypair()[1] + b"\t"], ceremony.public_key)
    # A custodian's own key opens only its own share.
    own_key = sealing.custodian_key_unwrap(custodians[0][1], "passphrase 0")
    with pytest.raises(sealing.SealingError):
        sealing.share_unseal(own_key, ceremony.sealed_shares[1])


def test_a_wrong_passphrase_or_an_altered_blob_does_not_unlock_a_custodian_key():
    _public, blob = sealing.custodian_enrol("right", **FAST)
    with pytest.raises(sealing.SealingError, match="wrong passphrase"):
        sealing.custodian_key_unwrap(blob, "wrong")
    altered = blob.as_json() | {"ciphertext": sealing.b64encode(bytes(48))}
    with pytest.raises(sealing.SealingError):
        sealing.custodian_key_unwrap(altered, "right")
    with pytest.raises(sealing.SealingError, match="salt must be 16 bytes"):
        sealing.custodian_key_unwrap(blob.as_json() | {"salt": sealing.b64encode(b"short")}, "right")


def test_reserve_prices_are_drawn_in_their_slices_sealed_and_committed():
    public, private = sealing.keypair()
    sealed = sealing.reserve_prices_seal(
        tender_public_key=public, tender_reference="T-9", amendment=0, base_price=100_000_000, range_pct=2, count=15
    )
    assert sealed.commitment == hashlib.sha256(sealed.ciphertext).hexdigest()
    document = sealing.reserve_prices_open(private, sealed.ciphertext)
    assert document["values"] == sealed.values
    assert (
        reserve_values_outside_slices(values=sealed.values, base_price=Decimal(100_000_000), range_pct=Decimal(2)) == []
    )
    moved = [*sealed.values[:3], sealed.values[3] + 300_000, *sealed.values[4:]]
    assert reserve_values_outside_slices(values=moved, base_price=Decimal(100_000_000), range_pct=Decimal(2)) == [4]


def test_opening_a_bid_names_what_is_wrong_with_it():
    public, private = sealing.keypair()
    rules = {"tender_reference": "T-1", "supplier_id": 5, "version": 1, "currency": "KRW", "reserve_rules": (15, 2)}
    content = sealing.bid_content(
        tender_reference="T-1", supplier_id=5, currency="KRW", price="1000", reserve_picks=[3, 3]
    )
    sealed = sealing.bid_seal(public, content)
    good_commitment = sealed.commitment(tender_ref="T-1", supplier_id=5, version=1)
    opened = bid_open(private_key=private, ciphertexts=sealed.ciphertexts(), stored_commitment=good_commitment, **rules)
    assert opened.commitment_ok
    assert opened.problem.code == "picks_duplicate"
    opened = bid_open(private_key=private, ciphertexts=sealed.ciphertexts(), stored_commitment="0" * 64, **rules)
    assert not opened.commitment_ok
    assert opened.problem.code == "commitment_mismatch"
    other = sealing.bid_seal(sealing.keypair()[0], content)
    opened = bid_open(
        private_key=private,
        ciphertexts=other.ciphertexts(),
        stored_commitment=other.commitment(tender_ref="T-1", supplier_id=5, version=1),
        **rules,
    )
    assert not opened.commitment_ok
    assert opened.problem.code == "undecryptable"

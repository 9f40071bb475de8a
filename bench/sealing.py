"""Opening many bids sealed with the reference client, against the bare decryption of the same ciphertexts.

Registered in bench/run.py (results key `sealed_opening`); alone:

    .venv/bin/python bench/sealing.py [--bids 5000]

Setup (not timed): one floor-rate tender with reserve prices, `bids` approved companies and one bid
each, sealed by `sealclient.sealing.bid_seal` exactly as a bidder's system would (content JSON with
two reserve picks, sealed to the tender key) and inserted in bulk with their commitments. Timed:

- bare_decrypt: `crypto_box_seal_open` of every content ciphertext and nothing else (PyNaCl);
- recombine: the quorum step alone — the platform's share and the human custodians' posted shares
  verified and combined (`bidding.keys.opening_private_key`), checked against the tender's public key;
- open: the portal's `bid_open_all` (the same recombination, commitments, decryption, the content rules, planned price,
  floor, ranking, one opened row per bid, the audit entry), in one transaction;
- bundle: building the public opening bundle from the database;
- verify: `sealclient.verify.verify_bundle` on that bundle (an outsider's re-run, all in memory).

The bare decryption runs before and after the opening and the faster run counts, so that the
ratios compare work done under the same machine load.
"""

import argparse
import base64
import json
import random
import secrets
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _seed_bids(tender, count: int) -> list[bytes]:
    """`count` companies each with one sealed bid on `tender`; returns the content ciphertexts."""
    from django.db import transaction

    from sealclient import sealing
    from suppliers.models import Supplier
    from tests.factories import UserFactory, valid_brn

    user = UserFactory()
    offset = Supplier.objects.count() + 100_000
    suppliers = Supplier.objects.bulk_create(
        Supplier(
            name_ko=f"벤치공급사{n}",
            name_en=f"Bench Supplier {n}",
            registration_number=valid_brn(offset + n),
            status=Supplier.Status.APPROVED,
        )
        for n in range(count)
    )
    rng = random.Random(2026)
    public_key = bytes(tender.public_key)
    sealed = []
    for supplier in suppliers:
        picks = sorted(rng.sample(range(1, 16), 2))
        price = rng.randrange(85_000_000, 101_000_000)
        content = sealing.bid_content(
            tender_reference=tender.reference,
            supplier_id=supplier.pk,
            currency=tender.currency,
            price=price,
            reserve_picks=picks,
        )
        sealed.append(sealing.bid_seal(public_key, content))
    with transaction.atomic():
        _bids_insert(tender, suppliers, sealed, user)
    return [s.content_ct for s in sealed]


def _bids_insert(tender, suppliers, sealed, user) -> list:
    """The bids and their first versions in bulk, named by one audit entry as the database requires
    of every change to a bid (procurement migration 0005)."""
    from bidding.models import Bid, BidVersion
    from procurement.audit import audit_record

    bids = Bid.objects.bulk_create(Bid(tender=tender, supplier=s, created_by=user) for s in suppliers)
    versions = BidVersion.objects.bulk_create(
        BidVersion(
            bid=bid,
            tender=tender,
            supplier=bid.supplier,
            number=1,
            sealed_content=s.content_ct,
            commitment=s.commitment(tender_ref=tender.reference, supplier_id=bid.supplier_id, version=1),
            plaintext_hash=s.plaintext_hash,
            idempotency_key=uuid.uuid4(),
            submitted_by=user,
        )
        for bid, s in zip(bids, sealed, strict=True)
    )
    for bid, version in zip(bids, versions, strict=True):
        bid.current_version = version
    Bid.objects.bulk_update(bids, ["current_version"], batch_size=1000)
    audit_record(
        actor=None,
        action="bench.seed_bids",
        obj=tender,
        related={"bidding.bid": {bid.pk: {"status": (None, Bid.Status.SUBMITTED)} for bid in bids}},
    )
    return bids


def _bare_decrypt(private_key: bytes, ciphertexts: list[bytes]) -> float:
    from nacl.public import PrivateKey, SealedBox

    box = SealedBox(PrivateKey(private_key))
    began = time.perf_counter()
    for ciphertext in ciphertexts:
        box.decrypt(ciphertext)
    return time.perf_counter() - began


def _recombine(tender) -> tuple[float, bytes]:
    """Time the portal's quorum step alone: the shares posted by k custodians verified and combined."""
    from bidding.keys import opening_private_key

    began = time.perf_counter()
    private_key = bytes(opening_private_key(tender))
    return time.perf_counter() - began, private_key


def bench_opening(*, bids: int = 5000, verify: bool = True) -> dict:
    """Run the scenario on the (already set up) bench database; returns the results."""
    from django.conf import settings
    from django.db import transaction

    from bidding import services
    from bidding.bundle import opening_bundle
    from sealclient.verify import verify_bundle
    from tests.bidding.helpers import published_tender, set_times
    from tests.sealing import shares_release

    if not settings.PLATFORM_CUSTODIAN_KEY:
        # The throwaway bench database gets a throwaway platform custodian (the quorum is 2 of 3).
        settings.PLATFORM_CUSTODIAN_KEY = base64.b64encode(secrets.token_bytes(32)).decode()
    tender = published_tender(evaluation_method="floor_rate_reserve", estimated_value=100_000_000)
    ciphertexts = _seed_bids(tender, bids)
    set_times(tender, deadline=-2, opening=-1)
    services.bid_close_tender(tender_id=tender.pk)
    shares_release(tender)
    recombine_s, private_key = _recombine(tender)
    decrypt_before = _bare_decrypt(private_key, ciphertexts)
    # Timed as a whole, and split at the commit: PostgreSQL runs the deferred checks there (every
    # changed bid and opened row must be named by an audit entry, procurement migrations 0005, 0009).
    began = time.perf_counter()
    with transaction.atomic():
        record = services.bid_open_all(tender_id=tender.pk)
        work_s = time.perf_counter() - began
    open_s = time.perf_counter() - began
    decrypt_after = _bare_decrypt(private_key, ciphertexts)
    bare = min(decrypt_before, decrypt_after)

    if not verify:
        return {
            "bids": record.bid_count,
            "valid": record.valid_count,
            "bare_decrypt_s": round(bare, 3),
            "recombine_ms": round(recombine_s * 1000, 3),
            "open_s": round(open_s, 3),
            "commit_s": round(open_s - work_s, 3),
        }
    began = time.perf_counter()
    bundle = opening_bundle(tender)
    bundle_s = time.perf_counter() - began
    began = time.perf_counter()
    report = verify_bundle(bundle)
    verify_s = time.perf_counter() - began
    if not report.ok or record.valid_count == 0:
        raise RuntimeError("the bench opening did not verify: " + report.summary())
    return {
        "bids": record.bid_count,
        "valid": record.valid_count,
        "bare_decrypt_s": round(bare, 3),
        "bare_decrypt_runs_s": [round(decrypt_before, 3), round(decrypt_after, 3)],
        "recombine_ms": round(recombine_s * 1000, 3),
        "open_s": round(open_s, 3),
        "open_with_quorum_to_bare_decrypt_ratio": round(open_s / bare, 1),
        "bundle_s": round(bundle_s, 3),
        "verify_s": round(verify_s, 3),
        "verify_to_bare_decrypt_ratio": round(verify_s / bare, 1),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bids", type=int, default=5000)
    args = parser.parse_args()
    from bench.run import _setup_django

    _setup_django()
    print(json.dumps(bench_opening(bids=args.bids), indent=2))

"""The opening bundle: everything public after opening that anyone needs to re-run it.

"koneps-opening-bundle-v1" (docs/sealing.md): the tender's key pair, every opened bid's ciphertexts
and commitment, the list of commitments published at the deadline (closing), the sealed reserve
prices and the published record. sealclient.verify reads it;
`manage.py verify_opening` and the public verifier page check the portal against it.
"""

import hashlib
from decimal import Decimal

from sealclient.sealing import b64encode
from sealclient.verify import BUNDLE_SCHEMA
from tenders.models import ReservePriceSet, Tender
from tenders.policies import evaluation_policy

from .models import OpenedBid, OpeningRecord, TenderClosing


def _text(value) -> str | None:
    return None if value is None else str(value)


def _parameters(tender: Tender, reserve_set: ReservePriceSet | None) -> dict:
    params = {
        name: _text(value) if isinstance(value, Decimal) else value
        for name, value in evaluation_policy(tender.evaluation_method).clean(tender.evaluation_params).items()
    }
    if evaluation_policy(tender.evaluation_method).uses_reserve_prices:
        params["base_price"] = _text(reserve_set.base_price if reserve_set else tender.estimated_value)
    return params


def _price_envelope(row: OpenedBid) -> dict:
    """A two-envelope bid's price envelope: the ciphertext only if it was opened. An unopened one is
    published as its SHA-256 alone — enough to check its commitment, useless for reading it, even
    with the tender's private key that the bundle publishes (docs/sealing.md, "Two envelopes")."""
    ciphertext = bytes(row.version.sealed_price)
    return {
        "price_commitment": row.version.price_commitment,
        "price_plaintext_hash": row.version.price_plaintext_hash,
        "price_content": b64encode(ciphertext) if row.price_opened else None,
        "price_sha256": hashlib.sha256(ciphertext).hexdigest(),
    }


def opening_bundle(tender: Tender) -> dict | None:
    """The bundle of an opened tender; None before its opening (nothing of it is public then)."""
    record = OpeningRecord.objects.filter(tender=tender).first()
    if record is None or not record.is_complete:
        # A two-envelope tender's key is published only once its price stage is over.
        return None
    # Recombined from the custodians' shares at opening and kept with the record: it protects nothing now.
    private_key = bytes(record.private_key)
    reserve_set = ReservePriceSet.objects.filter(tender=tender).order_by("-amendment_number").first()
    closing = TenderClosing.objects.filter(tender=tender).first()
    opened = list(
        OpenedBid.objects.filter(opening=record).select_related("version").prefetch_related("version__documents")
    )
    return {
        "schema": BUNDLE_SCHEMA,
        "tender": {
            "reference": tender.reference,
            "ocid": tender.ocid,
            "evaluation_method": record.evaluation_method,
            "currency": record.currency,
            "estimated_value": _text(tender.estimated_value),
            "envelopes": tender.envelopes,
            "public_key": b64encode(bytes(tender.public_key)),
            "private_key": b64encode(bytes(private_key)),
            "parameters": _parameters(tender, reserve_set),
        },
        # Published at the deadline, before any key existed: a bid whose commitment is not here was
        # replaced afterwards (the portal sets it aside at opening; the verifier names it).
        "closing": {"bid_count": closing.bid_count, "commitments": list(closing.commitments)}
        if closing is not None
        else None,
        "reserve_prices": {
            "ciphertext": b64encode(bytes(reserve_set.ciphertext)),
            "commitment": reserve_set.commitment,
        }
        if reserve_set is not None
        else None,
        "bids": [
            {
                "supplier_id": row.supplier_id,
                "version": row.version.number,
                "commitment": row.commitment,
                "plaintext_hash": row.version.plaintext_hash,
                "content": b64encode(bytes(row.version.sealed_content)),
                "documents": [
                    b64encode(bytes(d.ciphertext))
                    for d in sorted(row.version.documents.all(), key=lambda d: d.position)
                ],
                **(_price_envelope(row) if row.version.price_commitment else {}),
            }
            for row in sorted(opened, key=lambda r: r.supplier_id)
        ],
        # What opening decided from facts outside the sealed content (docs/architecture.md §10): the
        # verifier takes these as given and recomputes the ranking of the other bids.
        "rejected_outside_content": [
            {"supplier_id": row.supplier_id, "outcome": row.outcome, "reason": row.problem}
            for row in sorted(opened, key=lambda r: r.supplier_id)
            if row.outcome in (OpenedBid.Outcome.SECURITY_REJECTED, OpenedBid.Outcome.CONSORTIUM_INVALID)
        ],
        "record": {
            "planned_price": _text(record.planned_price),
            "floor_price": _text(record.floor_price),
            "reserve_prices": record.reserve_prices,
            "bids": [
                {
                    "supplier_id": row.supplier_id,
                    "outcome": row.outcome,
                    "price": _text(row.price),
                    "rank": row.rank,
                    "tied": row.tied,
                    "commitment_ok": row.commitment_ok,
                    "problem": row.problem,
                    **(
                        {"technical_compliant": row.technical_compliant, "technical_reason": row.technical_reason}
                        if record.is_two_stage
                        else {}
                    ),
                }
                for row in sorted(opened, key=lambda r: r.supplier_id)
            ],
        },
    }

"""Receipts (HTML, PDF, JSON) and their verification against the public record.

A receipt names the tender, the company, the version, the commitment hash, the database time of
the submission, and the SHA-256 of every ciphertext. From those hashes anyone can recompute the
commitment (`receipt_commitment_recompute`, the same formula as procurement.sealing.commitment),
and after the deadline find it in the tender's public closing list and opening record.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from procurement.audit import transparency_inclusion
from procurement.models import AuditEntry

from .models import Bid, BidVersion
from .selectors import CommitmentLookup, commitment_lookup

RECEIPT_FORMAT = "koneps-bid-receipt-v1"
COMMITMENT_DOMAIN = "koneps-bid-commitment-v1"


@dataclass(frozen=True)
class Receipt:
    kind: str  # "submission", "replacement" or "withdrawal"
    bid: Bid
    version: BidVersion | None
    tender_id: int
    tender_reference: str
    tender_title: str
    supplier_id: int
    supplier_name: str
    supplier_registration: str
    version_number: int | None
    commitment: str
    ciphertext_sha256: list[str]
    timestamp: datetime  # the database's time of the insert (or of the withdrawal)
    # Two-envelope tenders: the price envelope's own commitment and ciphertext hash.
    price_commitment: str = ""
    price_ciphertext_sha256: str = ""

    @property
    def kind_label(self) -> str:
        return {
            "submission": _("Bid submission receipt"),
            "replacement": _("Bid replacement receipt"),
            "withdrawal": _("Bid withdrawal receipt"),
        }[self.kind]

    @property
    def html_url(self) -> str:
        if self.kind == "withdrawal":
            return reverse("bidding:withdrawal_receipt", args=[self.bid.pk])
        return reverse("bidding:receipt", args=[self.version.pk])

    @property
    def verify_url(self) -> str:
        return f"{settings.SITE_URL}{reverse('bidding:verify')}?commitment={self.commitment}"

    @property
    def timestamp_utc(self) -> str:
        return self.timestamp.astimezone(UTC).isoformat()

    @cached_property
    def transparency(self) -> dict:
        """The inclusion proof of this receipt's audit entry in the latest signed head, once it is in one."""
        actions = ["bid.withdraw"] if self.kind == "withdrawal" else ["bid.submit", "bid.replace"]
        entries = AuditEntry.objects.filter(object_type="bidding.bid", object_id=str(self.bid.pk), action__in=actions)
        if self.kind != "withdrawal":
            entries = entries.filter(data__version=self.version_number)
        seq = entries.order_by("-seq").values_list("seq", flat=True).first()
        proof = transparency_inclusion(seq=seq) if seq is not None else None
        if proof is None:
            return _transparency_pending(seq)
        return {"status": "included", **proof}

    def as_json(self) -> dict:
        return {
            "format": RECEIPT_FORMAT,
            "kind": self.kind,
            "tender": {"id": self.tender_id, "reference": self.tender_reference, "title": self.tender_title},
            "supplier": {
                "id": self.supplier_id,
                "name": self.supplier_name,
                "registration_number": self.supplier_registration,
            },
            "bid": self.bid.pk,
            "version": self.version_number,
            "commitment": self.commitment,
            "ciphertext_sha256": self.ciphertext_sha256,
            **(
                {"price_commitment": self.price_commitment, "price_ciphertext_sha256": self.price_ciphertext_sha256}
                if self.price_commitment
                else {}
            ),
            "server_time": self.timestamp_utc,
            "verification": verification_hint(),
            "commitment_formula": commitment_formula(),
            "verify_url": self.verify_url,
            "transparency": self.transparency,
        }


def _transparency_pending(seq: int | None) -> dict:
    return {
        "status": "pending",
        "seq": seq,
        "message": _(
            "The entry of this receipt is not in a signed tree head yet (heads are signed every few "
            "minutes); download the receipt again later to get its inclusion proof."
        ),
    }


def receipt_for_submission(result) -> Receipt:
    """The receipt a submission answers with (a services.SubmissionResult). An entry written a moment
    ago is in no signed head yet, so a new version's receipt says "pending" with the entry's number
    without asking the log (three statements fewer on the rush path); a retry asks as usual."""
    receipt = receipt_for_version(result.version)
    if result.created and result.audit_seq is not None:
        receipt.__dict__["transparency"] = _transparency_pending(result.audit_seq)  # the cached_property's slot
    return receipt


def verification_hint() -> str:
    """What the receipt proves and how to check it, in plain words (the page, the PDF and the JSON)."""
    return _(
        "Keep this receipt. The commitment is a fingerprint of your sealed bid: it changes if a single "
        "byte of the bid changes, and it reveals nothing of the price. When bidding closes, the tender's "
        "public opening page lists the commitment of every bid received; at the opening it shows, bid by "
        "bid, that the bid opened is the one sealed. To check, paste the commitment on the portal's "
        "“Verify a receipt” page (anyone can, no sign-in needed) or find it in the list on the opening page."
    )


def commitment_formula() -> str:
    """How the commitment is computed, for anyone who recomputes it with their own software."""
    return (
        f"SHA-256 over the lines: {COMMITMENT_DOMAIN}, tender reference, company id, version, "
        "then the sorted SHA-256 hex digests of the ciphertexts."
    )


def _receipt(kind: str, bid: Bid, version: BidVersion, timestamp: datetime) -> Receipt:
    tender, supplier = bid.tender, bid.supplier
    return Receipt(
        kind=kind,
        bid=bid,
        version=version,
        tender_id=tender.pk,
        tender_reference=tender.reference or "",
        tender_title=tender.title,
        supplier_id=supplier.pk,
        supplier_name=supplier.name,
        supplier_registration=supplier.registration_number,
        version_number=version.number,
        commitment=version.commitment,
        ciphertext_sha256=sorted(hashlib.sha256(c).hexdigest() for c in version.ciphertexts()),
        timestamp=timestamp,
        price_commitment=version.price_commitment,
        price_ciphertext_sha256=hashlib.sha256(bytes(version.sealed_price)).hexdigest() if version.sealed_price else "",
    )


def receipt_for_version(version: BidVersion) -> Receipt:
    kind = "replacement" if version.number > 1 else "submission"
    return _receipt(kind, version.bid, version, version.submitted_at)


def receipt_for_withdrawal(bid: Bid) -> Receipt:
    return _receipt("withdrawal", bid, bid.current_version, bid.withdrawn_at)


def receipt_commitment_recompute(*, tender_reference: str, supplier_id: int, version: int, hashes: list[str]) -> str:
    """procurement.sealing.commitment, from the ciphertext hashes a receipt lists."""
    canonical = "\n".join([COMMITMENT_DOMAIN, tender_reference, str(supplier_id), str(version), *sorted(hashes)])
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Verification:
    ok: bool
    consistent: bool | None  # the receipt's own hashes give its commitment (None: only a hash given)
    lookup: CommitmentLookup
    message: str


def receipt_verify(*, commitment: str = "", receipt_json: dict | None = None) -> Verification:
    """Check a commitment (or a whole JSON receipt) against the public record."""
    consistent = None
    if receipt_json is not None:
        try:
            commitment = str(receipt_json["commitment"])
            recomputed = receipt_commitment_recompute(
                tender_reference=str(receipt_json["tender"]["reference"]),
                supplier_id=int(receipt_json["supplier"]["id"]),
                version=int(receipt_json["version"]),
                hashes=[str(h) for h in receipt_json["ciphertext_sha256"]],
            )
        except (KeyError, TypeError, ValueError):
            return Verification(False, False, CommitmentLookup(False), _("This is not a bid receipt of this portal."))
        consistent = recomputed == commitment
        if not consistent:
            return Verification(
                False,
                False,
                CommitmentLookup(False),
                _("The receipt is not consistent: its ciphertext hashes do not give its commitment."),
            )
    lookup = commitment_lookup(commitment)
    if not lookup.found:
        return Verification(
            False,
            consistent,
            lookup,
            _(
                "No public record contains this commitment (yet). Commitments are published when the tender "
                "closes at its deadline; a replaced version is not listed — verify your latest receipt."
            ),
        )
    if lookup.phase == "closed":
        return Verification(
            True,
            consistent,
            lookup,
            _(
                "This commitment is in the list published at the deadline of tender %(ref)s. "
                "It will be checked at opening."
            )
            % {"ref": lookup.tender.reference},
        )
    if lookup.opened_bid.commitment_ok:
        return Verification(
            True,
            consistent,
            lookup,
            _("Verified: the bid opened for tender %(ref)s is the bid with this commitment.")
            % {"ref": lookup.tender.reference},
        )
    return Verification(
        False,
        consistent,
        lookup,
        _("This bid was flagged at the opening of tender %(ref)s: its commitment check failed.")
        % {"ref": lookup.tender.reference},
    )


def receipt_json_text(receipt: Receipt) -> str:
    return json.dumps(receipt.as_json(), ensure_ascii=False, indent=2)


FONT_DIR = Path(settings.BASE_DIR) / "static" / "vendor" / "krds" / "fonts"


def receipt_pdf(receipt: Receipt) -> bytes:
    """The receipt as a PDF (WeasyPrint; Hangul in Pretendard GOV from the vendored KRDS fonts)."""
    from weasyprint import HTML

    html = render_to_string(
        "pdf/bid_receipt.html",
        {"receipt": receipt, "font_dir": FONT_DIR.as_uri(), "TIME_ZONE": settings.TIME_ZONE},
    )
    return HTML(string=html, base_url=str(FONT_DIR)).write_pdf()

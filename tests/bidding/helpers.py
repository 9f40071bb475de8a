"""Helpers for tests that need sealed bids (bidding, and contracts after it).

- `published_tender(...)`: a published tender sealed as the browser would (TenderFactory).
- `submit(...)`: a bid checked and sealed as the bid form does, through the real service.
- `set_times(...)`: move a tender's deadline/opening relative to the DATABASE clock (test setup only —
  the services decide by clock_timestamp(), so Python-side time travel does not reach them).
- `opened_tender(...)`: a tender with bids, closed, its custodians' shares released, and opened
  through the real services.
"""

import mimetypes
import uuid
from decimal import Decimal

from django.db import connection

from bidding import services
from bidding.content import bid_input_clean
from bidding.services.submission import reserve_pick_rules
from tests.factories import SupplierMemberFactory, TenderFactory
from tests.sealing import bid_seal, shares_release
from tests.support.audited import audited

# A minimal valid PDF (libmagic says application/pdf), with a phrase to look for.
PDF_TEMPLATE = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"% {phrase}\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf_with(phrase: str) -> bytes:
    return PDF_TEMPLATE.replace(b"{phrase}", phrase.encode())


def published_tender(**kwargs):
    return TenderFactory(published=True, **kwargs)


def bidder(**kwargs):
    """A supplier user (company administrator) of a fresh approved company."""
    return SupplierMemberFactory(**kwargs).user


def submit(
    tender,
    user,
    *,
    price="100000000",
    key=None,
    picks=None,
    lines=(),
    documents=(),
):
    """Check and seal as the bid form does in the browser, then bidding.services.bid_submit."""
    reserve_count, picks_required = reserve_pick_rules(tender)
    if reserve_count and picks is None:
        picks = (1, 2)
    bid = bid_input_clean(
        price=price,
        currency=tender.currency,
        lines=list(lines),
        declarations={"no_conflict_of_interest": True, "no_collusion": True},
        reserve_picks=picks or (),
        reserve_count=reserve_count,
        picks_required=picks_required,
    )
    supplier = user.supplier_membership.supplier
    sealed, _salt = bid_seal(
        tender, supplier, bid, [(name, _content_type(name, data), data) for name, data in documents]
    )
    return services.bid_submit(
        tender=tender, supplier=supplier, actor=user, sealed=sealed, idempotency_key=key or uuid.uuid4()
    )


def _content_type(name: str, data: bytes) -> str:
    """What a browser reports (from the name); the portal checks the content itself at opening."""
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def set_times(tender, *, deadline: float | None = None, opening: float | None = None) -> None:
    """Put the deadline / opening `n` seconds from now by the database clock (negative: past).

    Test setup moves time in the open: the database refuses a tender's timeline change without an
    audit entry in the same transaction, so this writes one ("test.set_times", tests.support.audited).
    """
    with audited("set_times", tender, deadline=deadline, opening=opening), connection.cursor() as cursor:
        if deadline is not None:
            cursor.execute(
                "UPDATE tenders_tender SET submission_deadline = clock_timestamp() + make_interval(secs => %s),"
                " next_check = CASE WHEN status = 'published' THEN clock_timestamp() + make_interval(secs => %s)"
                " ELSE next_check END WHERE id = %s",
                [deadline, deadline, tender.pk],
            )
        if opening is not None:
            cursor.execute(
                "UPDATE tenders_tender SET opening_at = clock_timestamp() + make_interval(secs => %s),"
                " next_check = CASE WHEN status = 'closed' THEN clock_timestamp() + make_interval(secs => %s)"
                " ELSE next_check END WHERE id = %s",
                [opening, opening, tender.pk],
            )
    tender.refresh_from_db()


def close_and_open(tender, actor=None):
    """Deadline and opening in the past, then the real services."""
    set_times(tender, deadline=-2, opening=-1)
    services.bid_close_tender(tender_id=tender.pk, actor=actor)
    shares_release(tender)
    record = services.bid_open_all(tender_id=tender.pk, actor=actor)
    tender.refresh_from_db()
    return record


def opened_tender(prices=(Decimal(95_000_000), Decimal(90_000_000), Decimal(99_000_000)), **tender_kwargs):
    """A tender with one bid per price from fresh companies, opened. Returns (tender, record, users)."""
    tender = published_tender(**tender_kwargs)
    users = [bidder() for _ in prices]
    for user, price in zip(users, prices, strict=True):
        submit(tender, user, price=str(price))
    record = close_and_open(tender)
    return tender, record, users


def sealed_form_data(tender, user, *, price="100000000", lines=(), documents=(), key=None) -> dict:
    """What the bid page posts once it has checked, confirmed and sealed the bid in the browser."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    reserve_count, picks_required = reserve_pick_rules(tender)
    bid = bid_input_clean(
        price=price,
        currency=tender.currency,
        lines=list(lines),
        declarations={"no_conflict_of_interest": True, "no_collusion": True},
        reserve_picks=(1, 2) if reserve_count else (),
        reserve_count=reserve_count,
        picks_required=picks_required,
    )
    supplier = user.supplier_membership.supplier
    docs = [(name, _content_type(name, data), data) for name, data in documents]
    sealed, _salt = bid_seal(tender, supplier, bid, docs)
    return {
        "idempotency_key": str(key or uuid.uuid4()),
        "plaintext_hash": sealed.plaintext_hash,
        "content": SimpleUploadedFile("content.sealed", sealed.content, "application/octet-stream"),
        "documents": [
            SimpleUploadedFile(f"document-{i}.sealed", d, "application/octet-stream")
            for i, d in enumerate(sealed.documents)
        ],
    }


def submit_two(tender, user, *, price="100000000", picks=None, documents=(), key=None):
    """A two-envelope bid sealed as the bid form does (technical and price envelope), then bid_submit."""
    from sealclient import sealing

    reserve_count, _picks_required = reserve_pick_rules(tender)
    if reserve_count and picks is None:
        picks = (1, 2)
    supplier = user.supplier_membership.supplier
    docs = [sealing.Document(name, data, _content_type(name, data)) for name, data in documents]
    sealed = sealing.bid_seal_two(
        bytes(tender.public_key),
        sealing.technical_content(tender_reference=tender.reference, supplier_id=supplier.pk, documents=docs),
        sealing.price_content(
            tender_reference=tender.reference,
            supplier_id=supplier.pk,
            currency=tender.currency,
            price=price,
            reserve_picks=picks or (),
        ),
        docs,
    )
    submission = services.SealedSubmission(
        content=sealed.technical.content_ct,
        documents=tuple(sealed.technical.document_cts),
        plaintext_hash=sealed.technical.plaintext_hash,
        price=sealed.price_ct,
        price_plaintext_hash=sealed.price_plaintext_hash,
    )
    return services.bid_submit(
        tender=tender, supplier=supplier, actor=user, sealed=submission, idempotency_key=key or uuid.uuid4()
    )


def end_complaint_window(tender, *, seconds_ago: float = 1) -> None:
    """Test setup: the technical results' complaint window ended `seconds_ago` by the database clock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE bidding_openingrecord SET complaint_until = clock_timestamp() - make_interval(secs => %s)"
            " WHERE tender_id = %s",
            [seconds_ago, tender.pk],
        )

"""The browser's part of sealing, done in Python for tests (as the reference client does it).

- `custodian_make`: a custodian whose private key this test process keeps (CUSTODIAN_KEYS);
- `tender_seal_material`: the publishing official's ceremony — key pair, Shamir split to the named
  custodians, sealed shares, sealed reserve prices — returning only what the browser posts;
- `publish` / `approve`: name custodians if the draft has none, then publish through the service;
- `bid_seal`: a bid sealed to the tender key as the bid form does;
- `shares_release`: after the deadline, k-1 human custodians post their shares (the platform's
  share is released by closing).
"""

import hashlib
import json
import secrets
from decimal import Decimal

from django.db import transaction
from nacl.public import PrivateKey, PublicKey, SealedBox

from bidding import services as bidding_services
from bidding.content import canonical_json, content_document, document_manifest
from bidding.services.submission import SealedSubmission
from procurement.roles import Role
from procurement.sealing import b64encode
from sealclient.reserve import RESERVE_SCHEMA, reserve_prices_draw
from sealclient.shamir import split
from tenders import services as tender_services
from tenders.models import Custodian, Tender, TenderCustodian
from tenders.policies import evaluation_policy
from tenders.services.custodians import (
    SealedReserve,
    TenderSealing,
    custodian_platform_ensure,
    reserve_set_store,
)

# custodian pk → X25519 private key, kept by "the custodian" (this test process), never the server.
CUSTODIAN_KEYS: dict[int, bytes] = {}


def seal(public_key: bytes, plaintext: bytes) -> bytes:
    return SealedBox(PublicKey(bytes(public_key))).encrypt(plaintext)


def unseal(private_key: bytes, ciphertext: bytes) -> bytes:
    return SealedBox(PrivateKey(bytes(private_key))).decrypt(bytes(ciphertext))


def custodian_make(*, user=None, kind: str = Custodian.Kind.AUDITOR) -> Custodian:
    from tests.factories import UserFactory

    if user is None:
        user = UserFactory(role=Role.OFFICIAL if kind == Custodian.Kind.OFFICIAL else Role.AUDITOR)
    private = PrivateKey.generate()
    custodian = Custodian.objects.create(kind=kind, user=user, public_key=bytes(private.public_key))
    CUSTODIAN_KEYS[custodian.pk] = bytes(private)
    return custodian


def custodians_name(tender: Tender, *, people: int = 2, threshold: int = 2) -> list[Custodian]:
    """Name the platform and `people` auditor custodians on a draft (bypassing the form)."""
    custodians = [custodian_platform_ensure(), *(custodian_make() for _ in range(people))]
    TenderCustodian.objects.filter(tender=tender).delete()
    TenderCustodian.objects.bulk_create(TenderCustodian(tender=tender, custodian=c) for c in custodians)
    Tender.objects.filter(pk=tender.pk).update(custodian_threshold=threshold)
    tender.custodian_threshold = threshold
    return custodians


def reserve_seal(tender: Tender, public_key: bytes, *, amendment: int, values=None) -> SealedReserve:
    params = evaluation_policy(tender.evaluation_method).clean(tender.evaluation_params)
    base, range_pct = Decimal(tender.estimated_value), Decimal(params["reserve_range_pct"])
    if values is None:
        values = reserve_prices_draw(base_price=base, range_pct=range_pct, count=params["reserve_count"])
    document = {
        "schema": RESERVE_SCHEMA,
        "tender": tender.reference,
        "amendment": amendment,
        "base_price": str(base),
        "range_pct": str(range_pct),
        "values": [str(v) for v in values],
    }
    ciphertext = seal(public_key, canonical_json(document))
    return SealedReserve(ciphertext=ciphertext, commitment=hashlib.sha256(ciphertext).hexdigest())


def tender_seal_material(tender: Tender, *, reserve_values=None) -> tuple[TenderSealing, bytes]:
    """(what the browser posts, the private key the browser then forgets — for tests that check it)."""
    named = list(tender.custodians.select_related("custodian").order_by("id"))
    private = PrivateKey.generate()
    public = bytes(private.public_key)
    shares = split(bytes(private), len(named), tender.custodian_threshold)
    sealed = {tc.custodian_id: seal(bytes(tc.custodian.public_key), s) for tc, s in zip(named, shares, strict=True)}
    reserve = None
    if evaluation_policy(tender.evaluation_method).uses_reserve_prices:
        reserve = reserve_seal(tender, public, amendment=0, values=reserve_values)
    return TenderSealing(public_key=public, shares=sealed, reserve=reserve), bytes(private)


def sealing_json(sealing: TenderSealing) -> dict:
    """The same material as the browser's JSON post."""
    return {
        "public_key": b64encode(sealing.public_key),
        "shares": [{"custodian": cid, "sealed_share": b64encode(s)} for cid, s in sealing.shares.items()],
        "reserve_prices": (
            {"ciphertext": b64encode(sealing.reserve.ciphertext), "commitment": sealing.reserve.commitment}
            if sealing.reserve
            else None
        ),
    }


def _prepare(tender: Tender) -> Tender:
    if not tender.custodians.exists():
        custodians_name(tender)
    return tender_services.tender_reference_assign(tender=tender)


def publish(*, tender: Tender, actor, reserve_values=None) -> Tender:
    tender = _prepare(tender)
    sealing, _private = tender_seal_material(tender, reserve_values=reserve_values)
    return tender_services.tender_publish(tender=tender, actor=actor, sealing=sealing)


def approve(*, tender: Tender, actor) -> Tender:
    tender = _prepare(tender)
    sealing, _private = tender_seal_material(tender)
    return tender_services.tender_approve(tender=tender, actor=actor, sealing=sealing)


def seal_published(tender: Tender, *, reserve_values=None) -> bytes:
    """For TenderFactory(published=True): name custodians and store the ceremony's material without
    the publication service (no notices, no audit). Returns the private key for the test's use."""
    custodians_name(tender)
    sealing, private = tender_seal_material(tender, reserve_values=reserve_values)
    for tc in tender.custodians.all():
        TenderCustodian.objects.filter(pk=tc.pk).update(sealed_share=sealing.shares[tc.custodian_id])
    Tender.objects.filter(pk=tender.pk).update(public_key=sealing.public_key)
    tender.public_key = sealing.public_key
    if sealing.reserve is not None:
        with transaction.atomic():  # the draw and its entry together, as the database insists
            reserve_set_store(tender=tender, reserve=sealing.reserve, actor=None)
    return private


def reserve_redraw(tender: Tender, *, amendment: int) -> SealedReserve:
    """What the amendment page's browser does when the base price or range changes."""
    return reserve_seal(tender, bytes(tender.public_key), amendment=amendment)


def bid_seal(tender: Tender, supplier, bid, documents=()) -> tuple[SealedSubmission, bytes]:
    """(the sealed submission, the salt the bidder keeps). `documents`: [(name, content_type, data)]."""
    manifest = [document_manifest(i, name, ctype, data) for i, (name, ctype, data) in enumerate(documents)]
    content = canonical_json(
        content_document(
            bid=bid, tender_reference=tender.reference, supplier_id=supplier.pk, currency=tender.currency,
            documents=manifest,
        )
    )  # fmt: skip
    salt = secrets.token_bytes(16)
    # A tender without a key (a draft) gets a throwaway one: the server must refuse it by itself.
    public = bytes(tender.public_key) if tender.public_key else bytes(PrivateKey.generate().public_key)
    return (
        SealedSubmission(
            content=seal(public, content),
            documents=tuple(seal(public, data) for _n, _t, data in documents),
            plaintext_hash=hashlib.sha256(salt + content).hexdigest(),
        ),
        salt,
    )


def human_custodians(tender: Tender) -> list[TenderCustodian]:
    return [tc for tc in tender.custodians.select_related("custodian__user").order_by("id") if tc.custodian.user_id]


def share_of(tc: TenderCustodian) -> bytes:
    return unseal(CUSTODIAN_KEYS[tc.custodian_id], bytes(tc.sealed_share))


def shares_release(tender: Tender, *, count: int | None = None) -> list:
    """After the deadline: `count` human custodians (default: enough with the platform's) post shares."""
    people = human_custodians(tender)
    has_platform = tender.custodians.filter(custodian__kind=Custodian.Kind.PLATFORM).exists()
    count = count if count is not None else tender.custodian_threshold - (1 if has_platform else 0)
    return [
        bidding_services.key_share_submit(tender_id=tender.pk, actor=tc.custodian.user, share=share_of(tc))
        for tc in people[:count]
    ]


def reserve_values_of(tender: Tender, private_key: bytes) -> list[Decimal]:
    reserve_set = tender.reserve_price_sets.order_by("-amendment_number").first()
    return [Decimal(v) for v in json.loads(unseal(private_key, bytes(reserve_set.ciphertext)))["values"]]


def api_body(tender: Tender, supplier, *, price="95000000", picks=None, documents=()) -> dict:
    """The JSON a client posts to /api/v1/bids/: the bid checked and sealed as the reference client does."""
    from bidding.content import bid_input_clean
    from bidding.services.submission import reserve_pick_rules

    reserve_count, picks_required = reserve_pick_rules(tender)
    bid = bid_input_clean(
        price=price,
        currency=tender.currency,
        declarations={"no_conflict_of_interest": True, "no_collusion": True},
        reserve_picks=picks or ((1, 2) if reserve_count else ()),
        reserve_count=reserve_count,
        picks_required=picks_required,
    )
    sealed, _salt = bid_seal(tender, supplier, bid, documents)
    return {
        "tender": tender.pk,
        "content": b64encode(sealed.content),
        "documents": [b64encode(d) for d in sealed.documents],
        "plaintext_hash": sealed.plaintext_hash,
    }

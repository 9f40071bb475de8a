"""Demo bids: sealed ones before the deadline, a tender closed and waiting for its opening, opened
tenders with their public records — one of them with multiple reserve prices (복수예비가격).

Everything goes through the real services (publication, sealed submission, closing, opening). To
have tenders already past their deadline, a demo tender is published and bid on normally and then
its whole timeline — publication, deadlines and the bids' receipt times — is shifted back by the
same amount, before the services close and open it by the database clock. Idempotent: each demo
tender is keyed on its title; an existing one is left as it is.
"""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from procurement.demo import demo_backdate, demo_user
from procurement.roles import Role
from sealclient import sealing as client
from suppliers.models import Supplier, SupplierMember
from suppliers.selectors import supplier_for_user
from tenders import demo_sealing
from tenders.models import Tender
from tenders.policies import evaluation_policy
from tenders.services import tender_create, tender_custodians_set

from .content import bid_input_clean
from .models import Bid
from .services import SealedSubmission, bid_close_tender, bid_open_all, bid_submit, key_share_submit
from .services.submission import reserve_pick_rules

# Companies that only bid in the demo records (their accounts cannot log in).
EXTRA_BIDDERS = [
    ("demo-bidder-1@example.com", "미래조달 주식회사", "Mirae Procurement Co., Ltd.", "123456789"),
    ("demo-bidder-2@example.com", "동방산업", "Dongbang Industries", "214365870"),
    ("demo-bidder-3@example.com", "세종테크 주식회사", "Sejong Tech Co., Ltd.", "318273645"),
]
QUORUM_DEMO_CLOSE = timedelta(minutes=10)
PROPOSAL = "%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n% 기술제안서 (demo)\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _extra_bidders() -> list:
    from django.contrib.auth import get_user_model

    from suppliers.validators import korean_brn_check_digit

    users = []
    for email, name_ko, name_en, digits in EXTRA_BIDDERS:
        user, created = get_user_model().objects.get_or_create(
            email=email, defaults={"full_name": name_ko, "role": Role.SUPPLIER, "language": "ko"}
        )
        if created:
            user.set_unusable_password()
            user.save()
        supplier, _ = Supplier.objects.get_or_create(
            country="KR",
            registration_number=f"{digits}{korean_brn_check_digit(digits)}",
            defaults={
                "name_ko": name_ko,
                "name_en": name_en,
                "status": Supplier.Status.APPROVED,
                "approved_at": timezone.now(),
            },
        )
        SupplierMember.objects.get_or_create(
            user=user, defaults={"supplier": supplier, "role": SupplierMember.Role.ADMINISTRATOR}
        )
        users.append(user)
    return users


def _timeline(now, days: float) -> dict:
    submission = (now + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    return {
        "clarification_deadline": submission - timedelta(days=3),
        "submission_deadline": submission,
        "opening_at": submission + timedelta(hours=1),
    }


def demo_tender_publish(
    actor, title: str, *, value: str, days: float, evaluation="lowest_price", category="goods", text="", **data
) -> Tender:
    """Draft and publish an open tender through the real services (the other demo data builds on it)."""
    tender = tender_create(
        actor=actor,
        data={
            "title": title,
            "description": f"<p>{text or title}</p>",
            "method": "open",
            "category": category,
            "estimated_value": Decimal(value),
            "currency": "KRW",
            "evaluation_method": evaluation,
            "evaluation_params": {},
            **_timeline(timezone.now(), days),
            **data,
        },
    )
    return demo_sealing.publish(tender=tender, actor=actor)


def demo_bid(
    tender: Tender, user, price: int, *, picks=(2, 9), version_tag: str = "1", document=None, key_prefix="demo"
):
    """Check and seal a bid as the bid page does (the reference client is byte-compatible with it) and
    submit it: the first of `picks` the procedure asks for, and a technical proposal when it needs
    one (or when `document` says so)."""
    reserve_count, picks_required = reserve_pick_rules(tender)
    if document is None:
        document = evaluation_policy(tender.evaluation_method).needs_technical_proposal
    checked = bid_input_clean(
        price=str(price),
        currency=tender.currency,
        declarations={"no_conflict_of_interest": True, "no_collusion": True},
        reserve_picks=tuple(picks)[: picks_required or 0],
        reserve_count=reserve_count,
        picks_required=picks_required,
    )
    supplier = supplier_for_user(user)
    sealed = client.bid_seal(
        bytes(tender.public_key),
        client.bid_content(
            tender_reference=tender.reference,
            supplier_id=supplier.pk,
            currency=tender.currency,
            price=checked.price,
            reserve_picks=checked.reserve_picks,
        ),
        [client.Document("기술제안서.pdf", PROPOSAL.encode(), "application/pdf")] if document else [],
    )
    return bid_submit(
        tender=tender,
        supplier=supplier,
        actor=user,
        sealed=SealedSubmission(
            content=sealed.content_ct, documents=tuple(sealed.document_cts), plaintext_hash=sealed.plaintext_hash
        ),
        # Fixed keys: reloading the demo returns the same receipts instead of new versions.
        idempotency_key=uuid.uuid5(
            uuid.NAMESPACE_URL, ":".join(filter(None, (key_prefix, tender.title, user.email, version_tag)))
        ),
    )


def shares_release(tender: Tender, *, count: int = 1) -> None:
    """Demo only: `count` demo custodians release their shares (as on their share page)."""
    for email in demo_sealing.demo_custodian_emails(tender)[:count]:
        key_share_submit(tender_id=tender.pk, actor=demo_user(email), share=demo_sealing.demo_share(tender, email))


def close_now(tender: Tender, *, opening_in: timedelta = timedelta(0)) -> Tender:
    """Demo only: bring the deadline forward to now, after the bids the loader has just submitted.

    The submission period stays as published (the publication and questions deadline move back
    with it) and the bids keep their real submission times, so every `bid.submit` entry is before
    the deadline the pages and the award report show; the `demo.backdate` entry records what moved,
    before and after. Opening is due `opening_in` from now (negative: overdue).
    """
    now = timezone.now()
    shift = tender.submission_deadline - now
    demo_backdate(
        obj=tender,
        updates={
            "published_at": F("published_at") - shift,
            "clarification_deadline": F("clarification_deadline") - shift,
            "submission_deadline": now,
            "opening_at": max(now, now + opening_in),
            "next_check": now,
        },
        reason="demo: deadline brought forward to the end of the loader's bidding",
    )
    return tender


def load(stdout) -> None:
    kim = demo_user("official@example.com")
    s1, s2, s3 = (demo_user(f"supplier{n}@example.com") for n in (1, 2, 3))
    extra = _extra_bidders()
    created = []

    def exists(title):
        return Tender.objects.filter(title=title).exists()

    # Sealed bids on the open tender of the tenders demo (nobody can read them until its opening).
    open_tender = Tender.objects.filter(title="2027년 정부청사 전산장비 구매", status=Tender.Status.PUBLISHED).first()
    if open_tender is not None and not Bid.objects.filter(tender=open_tender).exists():
        demo_bid(open_tender, s1, 612_000_000, document=True)
        demo_bid(open_tender, s1, 598_500_000, version_tag="2", document=True)  # replaced: version 2
        demo_bid(open_tender, s3, 640_000_000)
        created.append(open_tender.title)

    # A floor-rate tender still open: suppliers can try picking reserve prices.
    title = "2027년 청사 냉난방기 교체 구매"
    if not exists(title):
        tender = demo_tender_publish(kim, title, value="320000000", days=12, evaluation="floor_rate_reserve")
        demo_bid(tender, s3, 289_000_000, picks=(4, 11))
        created.append(title)

    # Closed at its deadline when the demo loaded; opens tomorrow. Count and commitments are public, no names.
    title = "업무용 노트북 구매 (개찰 대기)"
    if not exists(title):
        tender = demo_tender_publish(kim, title, value="150000000", days=8)
        for user, price in ((s1, 141_200_000), (s3, 138_900_000), (extra[0], 143_000_000)):
            demo_bid(tender, user, price)
        tender = close_now(tender, opening_in=timedelta(days=1))
        bid_close_tender(tender_id=tender.pk)
        created.append(title)

    # Opened (lowest price), with a record and the bid-distribution chart.
    title = "사무용 가구 구매"
    if not exists(title):
        tender = demo_tender_publish(kim, title, value="95000000", days=8, text="사무용 책상·의자 300조 구매.")
        for user, price in ((s1, 88_400_000), (s3, 85_150_000), (extra[0], 91_000_000), (extra[1], 86_900_000)):
            demo_bid(tender, user, price)
        tender = close_now(tender)
        bid_close_tender(tender_id=tender.pk)
        shares_release(tender)
        bid_open_all(tender_id=tender.pk)
        created.append(title)

    # Opened, multiple reserve prices: planned price, floor, a bid below it, the 15 prices and picks.
    title = "청사 외벽 도장 보수공사"
    if not exists(title):
        tender = demo_tender_publish(
            kim, title, value="480000000", days=8, evaluation="floor_rate_reserve", category="works",
            text="청사 외벽 6,200㎡ 도장 보수.",
        )  # fmt: skip
        bids = [
            (s2, 421_800_000, (3, 8)),
            (extra[0], 418_350_000, (8, 12)),
            (extra[1], 409_000_000, (1, 8)),  # below any possible floor (87.745 % of ≥ 470.4M): set aside
            (extra[2], 423_900_000, (5, 12)),
            (s1, 425_500_000, (3, 14)),
        ]
        for user, price, picks in bids:
            demo_bid(tender, user, price, picks=picks)
        tender = close_now(tender)
        bid_close_tender(tender_id=tender.pk)
        shares_release(tender)
        bid_open_all(tender_id=tender.pk)
        created.append(title)

    # Closes QUORUM_DEMO_CLOSE after loading; opens once both its custodians (official2 and the
    # auditor, 2 of 2, no platform share) release their shares on the key-share page (README).
    title = "개찰 시연: 정족수 개찰 (Quorum opening demo)"
    if not exists(title):
        draft = tender_create(
            actor=kim,
            data={
                "title": title,
                "description": "<p>Closes about 10 minutes after the demo starts; two custodians open it.</p>",
                "method": "open",
                "category": "goods",
                "estimated_value": Decimal("45000000"),
                "currency": "KRW",
                "evaluation_method": "lowest_price",
                "evaluation_params": {},
                **_timeline(timezone.now(), 8),
            },
        )
        people = draft.entity.default_custodians.values_list("pk", flat=True)
        tender_custodians_set(tender=draft, actor=kim, custodian_ids=list(people), threshold=2)
        tender = demo_sealing.publish(tender=draft, actor=kim)
        for user, price in ((s1, 43_100_000), (s3, 42_750_000)):
            demo_bid(tender, user, price)
        now = timezone.now()
        # Demo only: a real tender must stay open for the legal minimum; this one closes in minutes.
        demo_backdate(
            obj=tender,
            updates={
                "clarification_deadline": now,
                "submission_deadline": now + QUORUM_DEMO_CLOSE,
                "next_check": now + QUORUM_DEMO_CLOSE,
                "opening_at": now + QUORUM_DEMO_CLOSE + timedelta(minutes=1),
            },
            reason="demo: the quorum-opening tender closes minutes after the demo starts",
        )
        created.append(title)

    stdout.write(f"Demo bids: {len(created)} tender(s) set up ({Bid.objects.count()} bids in all)")
    from .demo_joint import load as load_joint

    load_joint(stdout)

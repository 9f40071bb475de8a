"""Demo joint bidding and bid securities: the issuer register, a works tender open to consortia with a
5 % bid security, a consortium led by supplier1 (supplier2 confirmed, supplier3 still to confirm) and
guarantees in the simulated issuer's book (docs/architecture.md §10). Idempotent, keyed on the title.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from procurement.demo import demo_user
from suppliers.selectors import supplier_for_user
from tenders.models import Tender

from .models import Consortium, IssuedGuarantee, SecurityIssuer
from .services.consortium import MemberTerms, consortium_create, consortium_respond
from .services.securities import bid_security_attach

ISSUERS = [
    ("SGI", "서울보증보험", "Seoul Guarantee Insurance", SecurityIssuer.Kind.SURETY),
    ("CGUA", "건설공제조합", "Construction Guarantee Cooperative", SecurityIssuer.Kind.SURETY),
    ("IBK", "중소기업은행", "Industrial Bank of Korea", SecurityIssuer.Kind.BANK),
]
TITLE = "2027년 청사 별관 증축공사 (공동수급 허용)"


def load(stdout) -> None:
    from .demo import demo_tender_publish

    for code, name_ko, name_en, kind in ISSUERS:
        SecurityIssuer.objects.get_or_create(code=code, defaults={"name_ko": name_ko, "name_en": name_en, "kind": kind})
    if Tender.objects.filter(title=TITLE).exists():
        return
    kim = demo_user("official@example.com")
    s1, s2, s3 = (demo_user(f"supplier{n}@example.com") for n in (1, 2, 3))
    tender = demo_tender_publish(
        kim,
        TITLE,
        value="1200000000",
        days=14,
        category="works",
        text="청사 별관 3층 증축 (연면적 2,400㎡). 공동수급(공동이행·분담이행) 허용, 입찰보증금 입찰금액의 5%.",
        consortium_allowed=True,
        bid_security_kind="percent",
        bid_security_value=Decimal(5),
    )
    consortium = consortium_create(
        tender=tender,
        actor=s1,
        name="한빛·동해 공동수급체",
        performance=Consortium.Performance.JOINT,
        lead_share=Decimal(60),
        partners=[MemberTerms(supplier_for_user(s2), Decimal(25)), MemberTerms(supplier_for_user(s3), Decimal(15))],
    )
    consortium_respond(member=consortium.members.get(supplier=supplier_for_user(s2)), actor=s2, accept=True)
    # supplier3 has not confirmed yet: sign in as supplier3 to confirm, then as supplier1 to bid.
    sgi = SecurityIssuer.objects.get(code="SGI")
    until = timezone.localdate(tender.submission_deadline) + timedelta(days=60)
    lead_guarantee = IssuedGuarantee.objects.create(
        issuer=sgi,
        number="SGI-2027-000101",
        principal_registration_number=supplier_for_user(s1).registration_number,
        beneficiary_reference=tender.reference,
        amount=Decimal(60_000_000),
        valid_until=until,
    )
    bid_security_attach(
        tender=tender,
        actor=s1,
        issuer=sgi,
        number=lead_guarantee.number,
        amount=lead_guarantee.amount,
        valid_until=until,
    )
    # In the issuer's book, not attached yet: try it from supplier2's or another company's account.
    IssuedGuarantee.objects.create(
        issuer=sgi,
        number="SGI-2027-000102",
        principal_registration_number=supplier_for_user(s2).registration_number,
        beneficiary_reference=tender.reference,
        amount=Decimal(30_000_000),
        valid_until=until,
    )
    stdout.write(f"Demo joint bidding: {TITLE} ({tender.reference}), consortium and bid security")

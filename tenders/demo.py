"""Demo entities, officials and tenders in every status this app owns, with deadlines relative to now.

Idempotent: each demo tender is keyed on its title and entity; a tender that already exists is left
as it is (so reloading never piles up amendments or questions).
"""

from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from procurement.demo import demo_backdate, demo_user
from suppliers.models import Supplier

from . import demo_sealing
from .models import Clarification, Official, ProcuringEntity, Tender, TenderDocument, TenderFollow
from .services import (
    clarification_answer,
    clarification_ask,
    subscription_update,
    tender_amend,
    tender_cancel,
    tender_create,
    tender_document_add,
    tender_invitations_set,
    tender_mark_unsuccessful,
    tender_set_status,
    tender_submit_for_approval,
)

ENTITIES = [
    ("1230000", "조달청", "Public Procurement Service", ProcuringEntity.Kind.CENTRAL, False),
    ("1741000", "행정안전부", "Ministry of the Interior and Safety", ProcuringEntity.Kind.CENTRAL, True),
    ("6110000", "서울특별시", "Seoul Metropolitan Government", ProcuringEntity.Kind.LOCAL, False),
]
# Officials of the other entities (demo accounts of their own; the fixed ones belong to 조달청).
EXTRA_OFFICIALS = [
    ("mois.official@example.com", "정행안", "1741000", "주무관", False),
    ("mois.approver@example.com", "오결재", "1741000", "과장", True),
    ("seoul.official@example.com", "서울시", "6110000", "계약담당", True),
]


SPECIFICATION = """구매 규격서 — 2027년 정부청사 전산장비

1. 데스크톱 컴퓨터 350대: CPU 8코어 이상, 메모리 16GB 이상, SSD 512GB 이상, 저전력 인증
2. 모니터 350대: 27인치 QHD, 높이 조절 스탠드
3. 무상 보증: 3년 (방문 수리)
4. 납품: 정부세종청사, 계약일로부터 60일 이내
"""


def _entities(stdout) -> dict[str, ProcuringEntity]:
    entities = {}
    for code, name_ko, name_en, kind, second_approval in ENTITIES:
        entity, _ = ProcuringEntity.objects.get_or_create(
            code=code,
            defaults={
                "name_ko": name_ko,
                "name_en": name_en,
                "kind": kind,
                "requires_second_approval": second_approval,
            },
        )
        entities[code] = entity
    pps = entities["1230000"]
    for email, title, can_approve in [
        ("official@example.com", "계약관", False),
        ("official2@example.com", "계약과장", True),
        ("evaluator@example.com", "기술평가위원", False),
    ]:
        Official.objects.get_or_create(
            user=demo_user(email), defaults={"entity": pps, "title": title, "can_approve": can_approve}
        )
    from allauth.account.models import EmailAddress

    from procurement.demo import DEMO_PASSWORD
    from procurement.models import User
    from procurement.roles import Role

    for email, name, code, title, can_approve in EXTRA_OFFICIALS:
        user, created = User.objects.get_or_create(email=email, defaults={"full_name": name, "role": Role.OFFICIAL})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        Official.objects.get_or_create(
            user=user, defaults={"entity": entities[code], "title": title, "can_approve": can_approve}
        )
    stdout.write("Demo procuring entities: 조달청, 행정안전부 (two-official approval), 서울특별시")
    return entities


def _classifications(*codes):
    """CPV codes (suppliers loads the divisions and groups); missing ones are skipped."""
    from suppliers.models import Classification

    return list(Classification.objects.filter(code__in=codes))


def _timeline(now, *, submission_days: float) -> dict:
    submission = (now + timedelta(days=submission_days)).replace(minute=0, second=0, microsecond=0)
    clarification = submission - timedelta(days=3)
    return {
        "clarification_deadline": clarification,
        "submission_deadline": submission,
        "opening_at": submission + timedelta(hours=1),
    }


def _data(title, *, description, category, value, method="open", evaluation="lowest_price", **extra) -> dict:
    return {
        "title": title,
        "description": description,
        "method": method,
        "category": category,
        "estimated_value": Decimal(value),
        "currency": "KRW",
        "evaluation_method": evaluation,
        "evaluation_params": {},
        **extra,
    }


def _as_if_published_days_ago(tender: Tender, *, days: float) -> Tender:
    """Demo only: shift a just-published tender's dates back, so that it can already be past its deadline."""
    shift = timedelta(days=days)
    demo_backdate(
        obj=tender,
        updates={
            "published_at": tender.published_at - shift,
            "clarification_deadline": tender.clarification_deadline - shift,
            "submission_deadline": tender.submission_deadline - shift,
            "opening_at": tender.opening_at - shift,
            "next_check": None,
        },
        reason=f"demo: published {days} days ago",
    )
    return tender


def load(stdout) -> None:
    entities = _entities(stdout)
    demo_sealing.custodians_load(entities, stdout)
    pps, mois, seoul = entities["1230000"], entities["1741000"], entities["6110000"]
    kim, lee = demo_user("official@example.com"), demo_user("official2@example.com")
    mois_official, mois_approver = demo_user("mois.official@example.com"), demo_user("mois.approver@example.com")
    seoul_official = demo_user("seoul.official@example.com")
    now = timezone.now()

    # Alerts: 한빛정보통신 follows computing equipment, IT services and 조달청; 대한건설 construction and 서울특별시.
    for name_en, codes, entity_list in [
        ("Hanbit ICT Co., Ltd.", ("30000000", "72000000"), [pps]),
        ("Daehan Construction Co., Ltd.", ("45000000",), [seoul]),
    ]:
        supplier = Supplier.objects.filter(name_en=name_en).first()
        if supplier is not None and not hasattr(supplier, "tender_subscription"):
            subscription_update(
                supplier=supplier,
                actor=None,
                classifications=_classifications(*codes),
                entities=entity_list,
            )

    def existing(title, entity):
        return Tender.objects.filter(title=title, entity=entity).first()

    created = 0

    # 조달청 — published, open, with questions and answers.
    title = "2027년 정부청사 전산장비 구매"
    if not existing(title, pps):
        tender = tender_create(
            actor=kim,
            data=_data(
                title,
                description="<p>정부세종청사 및 정부서울청사에서 사용할 데스크톱 컴퓨터 350대와 "
                "모니터 350대를 구매합니다.</p><ul><li>CPU 8코어 이상, 메모리 16GB 이상</li>"
                "<li>27인치 QHD 모니터</li><li>무상 보증 3년</li></ul>",
                category="goods",
                value="980000000",
                evaluation="floor_rate_reserve",
                delivery_place="정부세종청사",
                delivery_period="계약일로부터 60일",
                eligibility="물품 제조(4321) 등록 업체. 직접생산확인증명서 보유.",
                **_timeline(now, submission_days=12),
            ),
            classifications=_classifications("30200000"),
        )
        tender_document_add(
            tender=tender,
            actor=kim,
            file=ContentFile(SPECIFICATION.encode(), name="규격서.txt"),
            title="구매 규격서",
            kind=TenderDocument.Kind.SPECIFICATION,
        )
        tender = demo_sealing.publish(tender=tender, actor=kim)
        supplier1, supplier2 = demo_user("supplier1@example.com"), demo_user("supplier2@example.com")
        q1 = clarification_ask(tender=tender, actor=supplier1, question="모니터를 24인치로 대체 납품할 수 있습니까?")
        clarification_answer(
            clarification=q1, actor=lee, answer="아니요. 규격서에 명시된 27인치 QHD 모니터만 인정됩니다."
        )
        clarification_ask(tender=tender, actor=supplier2, question="분할 납품이 가능한지 알려 주십시오.")
        TenderFollow.objects.get_or_create(tender=tender, user=supplier1)
        created += 1

    # 조달청 — published and amended once (addendum with a reason and a diff).
    title = "공공기관 클라우드 보안관제 용역"
    if not existing(title, pps):
        tender = tender_create(
            actor=kim,
            data=_data(
                title,
                description="<p>Security monitoring (24/7 SOC) for public cloud workloads, 12 months.</p>",
                category="services",
                value="450000000",
                evaluation="best_value",
                delivery_place="Daejeon",
                delivery_period="12 months",
                **_timeline(now, submission_days=20),
            ),
            classifications=_classifications("72500000", "72700000"),
        )
        tender = demo_sealing.publish(tender=tender, actor=kim)
        tender_amend(
            tender=tender,
            actor=kim,
            reason="보안관제 대상 시스템 수 정정 (120 → 150)",
            data={
                "description": tender.description + "<p>대상 시스템: 150개.</p>",
                "estimated_value": Decimal("480000000"),
            },
        )
        created += 1

    # 조달청 — draft.
    title = "조달청 본관 승강기 교체공사"
    if not existing(title, pps):
        tender_create(
            actor=kim,
            data=_data(
                title,
                description="<p>본관 승강기 4대 교체 (설계도면 첨부 예정).</p>",
                category="works",
                value="1200000000",
                **_timeline(now, submission_days=15),
            ),
            classifications=_classifications("45300000"),
        )
        created += 1

    # 조달청 — cancelled after publication.
    title = "2026년 사무용 복합기 임차"
    if not existing(title, pps):
        tender = tender_create(
            actor=kim,
            data=_data(
                title,
                description="<p>사무용 복합기 40대 36개월 임차.</p>",
                category="goods",
                value="210000000",
                **_timeline(now, submission_days=9),
            ),
            classifications=_classifications("30100000"),
        )
        tender = demo_sealing.publish(tender=tender, actor=kim)
        tender_cancel(
            tender=tender, actor=kim, reason="수요기관의 예산 조정으로 입찰을 취소합니다. 다음 분기 재공고 예정."
        )
        created += 1

    # 행정안전부 (two-official approval) — pending approval, and a restricted tender published after approval.
    title = "지방행정 공통기반 유지관리 용역"
    if not existing(title, mois):
        tender = tender_create(
            actor=mois_official,
            data=_data(
                title,
                description="<p>지방행정 공통기반 시스템 유지관리 (12개월).</p>",
                category="services",
                value="760000000",
                **_timeline(now, submission_days=14),
            ),
            classifications=_classifications("72200000"),
        )
        tender_submit_for_approval(tender=tender, actor=mois_official)
        created += 1

    title = "재난안전통신망 단말기 구매 (제한경쟁)"
    if not existing(title, mois):
        tender = tender_create(
            actor=mois_official,
            data=_data(
                title,
                description="<p>재난안전통신망(PS-LTE) 단말기 500대. 제한경쟁: 인증 보유 업체만 초청.</p>",
                method="restricted",
                category="goods",
                value="650000000",
                **_timeline(now, submission_days=10),
            ),
            classifications=_classifications("32500000"),
        )
        invited = Supplier.objects.filter(name_en__in=["Hanbit ICT Co., Ltd.", "Nuri Office Supplies"])
        tender_invitations_set(tender=tender, actor=mois_official, suppliers=list(invited))
        tender_submit_for_approval(tender=tender, actor=mois_official)
        demo_sealing.publish(tender=tender, actor=mois_approver, approve=True)
        created += 1

    # 서울특별시 — published works tender; an unsuccessful one (closed with no valid bid).
    title = "노후 하수관로 정비공사"
    if not existing(title, seoul):
        tender = tender_create(
            actor=seoul_official,
            data=_data(
                title,
                description="<p>서울시 마포구 일대 노후 하수관로 2.4km 정비 (비굴착 보수 포함).</p>",
                category="works",
                value="3400000000",
                delivery_place="서울특별시 마포구",
                delivery_period="착공일로부터 300일",
                **_timeline(now, submission_days=9),
            ),
            classifications=_classifications("45200000"),
        )
        demo_sealing.publish(tender=tender, actor=seoul_official)
        created += 1

    title = "한강공원 안내표지판 제작 설치"
    if not existing(title, seoul):
        tender = tender_create(
            actor=seoul_official,
            data=_data(
                title,
                description="<p>한강공원 11개 지구 안내표지판 제작 및 설치.</p>",
                category="goods",
                value="180000000",
                **_timeline(now, submission_days=8),
            ),
            classifications=_classifications("34900000"),
        )
        tender = demo_sealing.publish(tender=tender, actor=seoul_official)
        tender = _as_if_published_days_ago(tender, days=10)
        tender_set_status(tender=tender, to=Tender.Status.CLOSED, actor=None, data={"demo": True})
        tender_mark_unsuccessful(tender=tender, actor=seoul_official, reason="유효한 입찰이 없어 유찰되었습니다.")
        created += 1

    # Only this step's notices: the bidding and contracts steps add tenders of their own, and the
    # command prints the totals at the end.
    stdout.write(f"Demo tenders: {created} new notice(s) in this step ({Clarification.objects.count()} questions)")

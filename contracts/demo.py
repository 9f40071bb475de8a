"""Demo evaluations, awards and contracts: one tender per evaluation method carried through to a
contract signed by both parties, and one award still in its standstill period (open to complaints).

Everything goes through the real services: publication, sealed bids, closing and opening (bidding),
evaluation, committee scores, award, contract, signatures. Two demo-only shortcuts move time: a
tender's timeline (and its bids' receipt times) is shifted back so that it is past its deadline,
as bidding's demo does, and an award's standstill end is moved into the past before it is made
final. Idempotent: each demo tender is keyed on its title; an existing one is left as it is.
The opened tenders of bidding's demo are left for people to evaluate themselves.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from bidding.demo import close_now, demo_bid, demo_tender_publish, shares_release
from bidding.models import Bid
from bidding.services import bid_close_tender, bid_open_all
from procurement.demo import demo_backdate, demo_user
from tenders.models import Tender

from . import services
from .models import Award, CommitteeMember


def _publish(actor, title: str, *, value: str, evaluation: str, category: str, text: str) -> Tender:
    return demo_tender_publish(
        actor,
        title,
        value=value,
        days=8,
        evaluation=evaluation,
        category=category,
        text=text,
        delivery_place="정부세종청사",
        delivery_period="계약일로부터 90일",
    )


def _bid(tender: Tender, user, price: int, picks=(2, 9)) -> None:
    demo_bid(tender, user, price, picks=picks, version_tag="", key_prefix="demo-contracts")


def _open(tender: Tender, actor) -> Tender:
    """Demo only: the deadline brought forward to now (after the bids), then close and open it
    through bidding's services (which check the database clock)."""
    close_now(tender)
    bid_close_tender(tender_id=tender.pk, actor=actor)
    shares_release(tender)
    bid_open_all(tender_id=tender.pk, actor=actor)
    tender.refresh_from_db()
    return tender


def _review_down(tender: Tender, actor, failures: dict[str, str]) -> None:
    """Review from the top: bidders named in `failures` (by email) fail with the reason; the next passes."""
    evaluation = tender.evaluation
    while (assessment := services.next_for_review(evaluation)) is not None:
        emails = set(assessment.bid.supplier.members.values_list("user__email", flat=True))
        reason = next((r for e, r in failures.items() if e in emails), "")
        services.assessment_review(assessment=assessment, actor=actor, passed=not reason, reason=reason)
    services.evaluation_complete(evaluation=evaluation, actor=actor)


def _award(tender: Tender, actor, *, final: bool) -> Award:
    award = services.award_propose(tender=tender, actor=actor)
    if final:
        # Demo only: the standstill cut short, in the open (award_finalise checks the clock itself).
        demo_backdate(obj=award, updates={"standstill_until": timezone.now()}, reason="demo: standstill cut short")
        award = services.award_finalise(award=award, actor=actor)
    return award


def _contract(award: Award, official, supplier_admin, *, days: int, milestones) -> None:
    today = timezone.localdate()
    contract = services.contract_create(
        award=award,
        actor=official,
        terms=services.Terms(
            value=award.value,
            start_date=today,
            end_date=today + timedelta(days=days),
            deliverables=award.tender.title,
            milestones=tuple(
                {"title": title, "due_date": today + timedelta(days=due), "amount": Decimal(amount)}
                for title, due, amount in milestones
            ),
        ),
    )
    document = services.contract_document_ensure(version=services.pending_version(contract))
    services.contract_sign(contract=contract, actor=official, document_sha256=document.sha256)
    services.contract_sign(contract=contract, actor=supplier_admin, document_sha256=document.sha256)


def load(stdout) -> None:
    kim, lee = demo_user("official@example.com"), demo_user("official2@example.com")
    evaluator = demo_user("evaluator@example.com")
    s1, s2, s3 = (demo_user(f"supplier{n}@example.com") for n in (1, 2, 3))
    created = []

    def exists(title: str) -> bool:
        return Tender.objects.filter(title=title).exists()

    # Lowest price: the lowest bid passes review; contract signed, first delivery accepted.
    title = "민원실 무인 안내 키오스크 구매"
    if not exists(title):
        tender = _publish(kim, title, value="120000000", evaluation="lowest_price", category="goods",
                          text="민원실 무인 안내 키오스크 12대 구매 및 설치.")  # fmt: skip
        for user, price in ((s1, 112_300_000), (s2, 109_800_000), (s3, 115_000_000)):
            _bid(tender, user, price)
        tender = _open(tender, kim)
        services.evaluation_start(tender=tender, actor=kim)
        _review_down(tender, kim, {})
        award = _award(tender, kim, final=True)
        _contract(
            award,
            kim,
            s2,
            days=60,
            milestones=[("키오스크 12대 납품", 30, "80000000"), ("설치 및 교육", 55, "29800000")],
        )
        contract = award.contract
        first = contract.milestones.first()
        services.milestone_deliver(milestone=first, actor=s2, note="12대 납품 완료 (검수 요청)")
        services.milestone_accept(milestone=first, actor=kim)
        created.append(title)

    # Floor rate with multiple reserve prices (적격심사): the bid nearest the floor fails the review.
    title = "정부청사 조경 유지관리 용역"
    if not exists(title):
        tender = _publish(kim, title, value="260000000", evaluation="floor_rate_reserve", category="services",
                          text="정부세종청사 조경 유지관리 12개월 (적격심사 대상).")  # fmt: skip
        # Any floor lies between 223.6M and 232.7M (87.745 % of 260M ± 2 %): 215M is below it.
        for user, price, picks in ((s1, 238_500_000, (3, 8)), (s2, 234_000_000, (8, 12)), (s3, 215_000_000, (1, 8))):
            _bid(tender, user, price, picks=picks)
        tender = _open(tender, kim)
        services.evaluation_start(tender=tender, actor=kim)
        _review_down(tender, kim, {s2.email: "적격심사 결과 경영상태 평가 점수 미달 (85점 기준, 79점)."})
        award = _award(tender, kim, final=True)
        _contract(award, kim, s1, days=365, milestones=[("상반기 유지관리", 180, "119250000"),
                                                       ("하반기 유지관리", 360, "119250000")])  # fmt: skip
        created.append(title)

    # Best value (협상에 의한 계약): a committee of two declares, scores; ranking by total score.
    title = "전자조달 데이터 분석 플랫폼 구축"
    if not exists(title):
        tender = _publish(kim, title, value="680000000", evaluation="best_value", category="services",
                          text="조달 데이터 분석 플랫폼 설계·구축 (기술 80 : 가격 20).")  # fmt: skip
        for user, price in ((s1, 655_000_000), (s2, 620_000_000), (s3, 640_000_000)):
            _bid(tender, user, price)
        members = [services.committee_member_add(tender=tender, actor=kim, user=u) for u in (lee, evaluator)]
        tender = _open(tender, kim)
        evaluation = services.evaluation_start(tender=tender, actor=kim)
        bids = {b.supplier.members.first().user.email: b.pk for b in Bid.objects.filter(tender=tender)}
        # Criteria (national defaults): approach 40, experience 20, staffing 20 — 68 of 80 needed.
        sheets = {
            lee.email: {s1.email: (36, 18, 17), s2.email: (30, 15, 15), s3.email: (35, 17, 18)},
            evaluator.email: {s1.email: (37, 17, 18), s2.email: (31, 16, 14), s3.email: (33, 18, 17)},
        }
        for member in CommitteeMember.objects.filter(pk__in=[m.pk for m in members]).select_related("user"):
            services.conflict_declare(member=member, actor=member.user, no_conflict=True)
            scores = {}
            for email, points in sheets[member.user.email].items():
                for index, value in enumerate(points):
                    scores[(bids[email], index)] = str(value)
            services.scores_save(member=member, actor=member.user, scores=scores, submit=True)
        services.evaluation_calculate(evaluation=evaluation, actor=kim)
        _review_down(tender, kim, {})
        award = _award(tender, kim, final=True)
        _contract(award, kim, award.supplier.members.first().user, days=240,
                  milestones=[("착수 및 요구사항 정의", 30, "130000000"), ("설계 및 구축", 180, "390000000"),
                              ("시범운영 및 완료", 235, "135000000")])  # fmt: skip
        created.append(title)

    # An award in its standstill period: losing bidders can still complain.
    title = "청사 보안 CCTV 교체 구매"
    if not exists(title):
        tender = _publish(kim, title, value="210000000", evaluation="lowest_price", category="goods",
                          text="청사 보안 CCTV 64대 교체.")  # fmt: skip
        for user, price in ((s1, 198_000_000), (s3, 193_700_000)):
            _bid(tender, user, price)
        tender = _open(tender, kim)
        services.evaluation_start(tender=tender, actor=kim)
        _review_down(tender, kim, {})
        _award(tender, kim, final=False)
        created.append(title)

    stdout.write(f"Demo evaluations, awards and contracts: {len(created)} tender(s) set up")

"""Demo catalogue shop: two framework competitions (office supplies, PCs) run as tenders and
concluded with three suppliers each, about a hundred items, orders in every state, and invoices
paid on time and late (docs/architecture.md §11).

Everything goes through the services; demo-only shortcuts move time, in the open (one audit
entry each, `procurement.demo.demo_backdate`): tenders' deadlines (as contracts' demo does) and
the dates of the invoices that the dashboard shows as paid late. Idempotent: keyed on the
framework tenders' titles.
"""

from datetime import timedelta
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from bidding.demo import _timeline
from contracts import services as contract_services
from contracts.demo import _award, _bid, _open, _review_down
from procurement.demo import demo_backdate, demo_user
from suppliers.models import Classification
from tenders import demo_sealing
from tenders.models import Tender
from tenders.services import tender_create

from . import services
from .models import CatalogueItem, EntityBudget, FrameworkAgreement, Invoice, Order

OFFICE = "2027 사무용품 다수공급자계약 (MAS)"
PCS = "2027 데스크톱·노트북 다수공급자계약 (MAS)"

OFFICE_ITEMS = [
    ("복사용지 A4 80g", "Copy paper A4 80 g", "박스", 24000, ["green"]),
    ("복사용지 A3 80g", "Copy paper A3 80 g", "박스", 41000, ["green"]),
    ("재생 복사용지 A4", "Recycled copy paper A4", "박스", 22500, ["green", "social"]),
    ("중성펜 0.5mm 흑색", "Gel pen 0.5 mm black", "다스", 9600, []),
    ("볼펜 0.7mm 청색", "Ballpoint pen 0.7 mm blue", "다스", 4800, []),
    ("형광펜 5색 세트", "Highlighter set, 5 colours", "세트", 5200, []),
    ("레이저 토너 흑색 (표준)", "Laser toner black (standard)", "개", 68000, ["excellent"]),
    ("레이저 토너 컬러 4색", "Laser toner colour, 4-pack", "세트", 214000, []),
    ("잉크젯 카트리지 흑색", "Inkjet cartridge black", "개", 23000, []),
    ("스테이플러 중형", "Stapler, medium", "개", 8900, ["ks"]),
    ("스테이플 침 10호", "Staples no. 10", "갑", 900, []),
    ("클리어 파일 A4 20매", "Clear file A4, 20 sleeves", "개", 2300, ["green"]),
    ("정부 문서 보관 상자", "Archive box for public records", "개", 3500, ["green"]),
    ("포스트잇 76×76", "Sticky notes 76×76", "패드", 1200, []),
    ("화이트보드 마커 4색", "Whiteboard markers, 4 colours", "세트", 6400, []),
    ("문서 세단기 소형", "Paper shredder, small", "대", 189000, ["performance"]),
    ("라벨 프린터", "Label printer", "대", 97000, []),
    ("계산기 12자리", "Calculator, 12 digits", "개", 11000, []),
]
PC_ITEMS = [
    ("업무용 데스크톱 i5 16GB", "Office desktop i5 16 GB", "대", 890000, ["energy"]),
    ("업무용 데스크톱 i7 32GB", "Office desktop i7 32 GB", "대", 1290000, ["energy", "excellent"]),
    ("업무용 노트북 14인치", "Office notebook 14-inch", "대", 1150000, ["energy"]),
    ("업무용 노트북 15.6인치", "Office notebook 15.6-inch", "대", 1240000, []),
    ("경량 노트북 13인치", "Lightweight notebook 13-inch", "대", 1490000, ["performance"]),
    ("모니터 24인치 FHD", "Monitor 24-inch FHD", "대", 189000, ["energy"]),
    ("모니터 27인치 QHD", "Monitor 27-inch QHD", "대", 329000, ["energy", "green"]),
    ("도킹 스테이션 USB-C", "USB-C docking station", "개", 198000, []),
    ("무선 키보드 마우스 세트", "Wireless keyboard and mouse set", "세트", 39000, []),
    ("외장 SSD 1TB", "External SSD 1 TB", "개", 129000, ["ks"]),
    ("보안 USB 32GB", "Secure USB drive 32 GB", "개", 45000, ["performance"]),
    ("웹캠 FHD", "Webcam FHD", "개", 69000, []),
    ("레이저 복합기 흑백", "Mono laser multifunction printer", "대", 590000, ["excellent"]),
    ("레이저 프린터 컬러", "Colour laser printer", "대", 720000, []),
    ("무정전 전원장치 1kVA", "UPS 1 kVA", "대", 310000, ["ks"]),
    ("네트워크 스위치 24포트", "Network switch, 24 ports", "대", 420000, []),
]
# Every supplier serves Seoul and Sejong (where the demo buyers are) and some other regions.
REGIONS = [
    ["seoul", "sejong", "gyeonggi", "incheon"],
    ["seoul", "sejong", "daejeon", "chungnam", "chungbuk"],
    ["seoul", "sejong", "busan", "daegu", "gwangju"],
]


def _framework_tender(kim, title: str, cpv: str, value: str) -> Tender:
    tender = tender_create(
        actor=kim,
        data={
            "title": title,
            "description": f"<p>{title}: 다수공급자계약 (3개사 이내, 각사 단가).</p>",
            "method": "open",
            "category": "goods",
            "estimated_value": Decimal(value),
            "currency": "KRW",
            "evaluation_method": "lowest_price",
            "evaluation_params": {},
            **_timeline(timezone.now(), 8),
            "delivery_place": "전국",
            "delivery_period": "계약기간 중 납품요구 시",
        },
    )
    today = timezone.localdate()
    services.framework_call_set(
        tender=tender,
        actor=kim,
        max_suppliers=3,
        ceiling=Decimal(value),
        start_date=today - timedelta(days=40),
        end_date=today + timedelta(days=325),
        classification=Classification.objects.get(code=cpv),
    )
    return demo_sealing.publish(tender=tender, actor=kim)


def _conclude(kim, suppliers, title: str, cpv: str, value: str, prices) -> list[FrameworkAgreement]:
    tender = _framework_tender(kim, title, cpv, value)
    for user, price in zip(suppliers, prices, strict=True):
        _bid(tender, user, price)
    tender = _open(tender, kim)
    contract_services.evaluation_start(tender=tender, actor=kim)
    _review_down(tender, kim, {})
    _award(tender, kim, final=True)
    tender.refresh_from_db()
    bids = [ob.bid_id for ob in services.framework_candidates(tender)]
    return services.agreements_conclude(tender=tender, actor=kim, bid_ids=bids)


def _items(kim, agreements, catalogue, *, variants: int) -> list:
    made = []
    for a_index, agreement in enumerate(agreements):
        user = agreement.supplier.members.first().user
        for index, (name_ko, name_en, unit, price, certs) in enumerate(catalogue):
            for variant in range(variants):
                n = a_index * 100 + index * variants + variant
                # Each supplier prices the same goods a little differently (its own bid, its own prices).
                unit_price = Decimal(price) * (Decimal("0.94") + Decimal((n * 7) % 13) / 100)
                suffix = ["", " (고급형)", " (보급형)"][variant]
                item = services.item_create(
                    agreement=agreement,
                    actor=user,
                    data=services.ItemData(
                        name_ko=f"{name_ko}{suffix}",
                        name_en=name_en + ["", " (premium)", " (basic)"][variant],
                        model_number=f"{agreement.supplier.name_en[:3].upper()}-{1000 + n}",
                        unit=unit,
                        unit_price=unit_price.quantize(Decimal(10)),
                        stock=20 + (n * 37) % 400,
                        lead_time_days=2 + n % 12,
                        regions=REGIONS[(a_index + index) % 3],
                        certifications=certs if variant != 2 else [],
                        specification=f"{name_ko}{suffix} — {name_en}. 조달청 규격 적합, 무상보증 1년.",
                    ),
                )
                made.append(item)
    for index, item in enumerate(made):
        user = item.agreement.supplier.members.first().user
        if index % 31 == 5:
            continue  # left as a draft
        services.item_submit(item=item, actor=user)
        if index % 29 == 3:
            continue  # waiting for the agency
        if index % 37 == 7:
            services.item_review(item=item, actor=kim, approve=False, reason="규격서(PDF)를 첨부해 주십시오.")
            continue
        services.item_review(item=item, actor=kim, approve=True)
    return made


def _budget(entity, amount: str, limit: str) -> None:
    EntityBudget.objects.get_or_create(
        entity=entity,
        year=timezone.localdate().year,
        defaults={"amount": Decimal(amount), "approval_limit": Decimal(limit)},
    )


def _place(buyer, items_quantities, region="sejong", address="정부세종청사 6동 물품관리실"):
    lines = [services.Wanted(item.pk, q, item.unit_price) for item, q in items_quantities]
    return services.orders_place(actor=buyer, lines=lines, delivery_address=address, region=region)


def _deliver_all(order, supplier, official, *, reject: dict | None = None):
    """Dispatch what is outstanding, report it delivered, inspect it (rejecting `reject` {line: (n, why)})."""
    quantities = {line.pk: services.outstanding(line) for line in order.lines.all() if services.outstanding(line)}
    delivery = services.delivery_dispatch(order=order, actor=supplier, quantities=quantities, note="택배 발송")
    services.delivery_mark_delivered(delivery=delivery, actor=supplier)
    verdicts = {}
    for dl in delivery.lines.select_related("order_line"):
        rejected, why = (reject or {}).get(dl.order_line.name, (0, ""))
        verdicts[dl.pk] = (dl.quantity - rejected, why)
    services.delivery_inspect(delivery=delivery, actor=official, verdicts=verdicts)


def _invoice(order, supplier):
    quantities = {line.pk: services.invoiceable(line) for line in order.lines.all() if services.invoiceable(line)}
    return services.invoice_issue(order=order, actor=supplier, quantities=quantities)


def _backdate_invoice(invoice: Invoice, days: int) -> None:
    shift = timedelta(days=days)
    demo_backdate(
        obj=invoice,
        updates={
            "accepted_at": F("accepted_at") - shift,
            "issued_at": F("issued_at") - shift,
            "due_at": F("due_at") - shift,
        },
        reason=f"demo: invoice issued {days} days ago",
    )


def _orders(kim, lee, mois, mois_approver, published) -> None:
    by_agreement: dict[int, list] = {}
    for item in published:
        by_agreement.setdefault(item.agreement_id, []).append(item)
    groups = list(by_agreement.values())  # three office-supplies agreements, then three PC agreements

    def sup(items):
        return items[0].agreement.supplier.members.first().user

    def pick(items, *indexes):
        return [items[i % len(items)] for i in indexes]

    def above_limit(item):
        return int(Decimal(5_000_000) / item.unit_price) + 1

    g0, g1, g2, g3 = groups[0], groups[1], groups[3], groups[4]
    # Waiting for the second official (above 5,000,000).
    _place(kim, [(pick(g3, 1)[0], above_limit(pick(g3, 1)[0]))])
    # Placed, nothing dispatched yet.
    _place(kim, [(pick(g0, 0)[0], 15), (pick(g0, 3)[0], 10)])
    # Declined by the approver; cancelled by the buyer.
    [declined] = _place(kim, [(pick(g3, 2)[0], above_limit(pick(g3, 2)[0]))])
    services.order_decline(order=declined, actor=lee, reason="예산 항목 재검토 후 다시 요청하십시오.")
    [cancelled] = _place(kim, [(pick(g1, 4)[0], 10)])
    services.order_cancel(order=cancelled, actor=kim, reason="중복 주문")
    # In delivery: part delivered, one line partly rejected and owed again.
    [partial] = _place(kim, [(pick(g2, 0)[0], 3), (pick(g2, 5)[0], 3)])
    line = partial.lines.first()
    delivery = services.delivery_dispatch(order=partial, actor=sup(g2), quantities={line.pk: 3}, note="1차 납품")
    services.delivery_mark_delivered(delivery=delivery, actor=sup(g2))
    services.delivery_inspect(
        delivery=delivery, actor=kim, verdicts={dl.pk: (2, "액정 파손 1대") for dl in delivery.lines.all()}
    )
    # Completed and paid on time; completed and paid late (with a claim); invoiced, awaiting payment.
    [on_time] = _place(kim, [(pick(g0, 1)[0], 12), (pick(g0, 6)[0], 4)])
    _deliver_all(on_time, sup(g0), kim)
    invoice = _invoice(on_time, sup(g0))
    _backdate_invoice(invoice, 9)
    services.invoice_approve(invoice=invoice, actor=kim)
    # Paid 3 days after issue (demo: the payment happened then, recorded now with its real time).
    services.invoice_pay(invoice=invoice, actor=kim, payment_reference="dBrain-2026-104233")
    demo_backdate(
        obj=invoice, updates={"paid_at": F("issued_at") + timedelta(days=3)}, reason="demo: paid 3 days after issue"
    )
    [late] = _place(mois, [(pick(g1, 2)[0], 5)], region="sejong", address="정부세종청사 8동")
    _deliver_all(late, sup(g1), mois, reject={})
    invoice = _invoice(late, sup(g1))
    _backdate_invoice(invoice, 21)
    services.invoice_approve(invoice=invoice, actor=mois)
    services.invoice_pay(invoice=invoice, actor=mois, payment_reference="dBrain-2026-099812")
    services.late_claim_file(invoice=invoice, actor=sup(g1), note="국가계약법 시행령 §59에 따른 지연이자 청구")
    [waiting] = _place(mois, [(pick(g2, 3)[0], 1)], region="sejong", address="정부세종청사 8동")
    _deliver_all(waiting, sup(g2), mois)
    services.invoice_approve(invoice=_invoice(waiting, sup(g2)), actor=mois)
    # A bigger approved order for the public list (above the publication threshold).
    [big] = _place(kim, [(pick(g3, 0)[0], int(Decimal(12_000_000) / pick(g3, 0)[0].unit_price) + 1)])
    services.order_approve(order=big, actor=lee)
    # A price change waiting for the agency, after the orders (which keep their prices).
    item = pick(g3, 0)[0]
    services.price_change_request(
        item=item,
        actor=sup(g3),
        new_price=(item.unit_price * Decimal("1.03")).quantize(Decimal(10)),
        reason="메모리 단가 상승 (공급사 원가 자료 첨부)",
    )


def _mini_competition(kim, lee, items) -> None:
    """An order above the threshold competed among the PC framework's three suppliers, opened and awarded."""
    from django.conf import settings

    item = max(items, key=lambda i: i.unit_price)
    quantity = int(settings.CATALOGUE_MINI_COMPETITION_THRESHOLD / item.unit_price) + 1
    services.cart_add(actor=kim, item=item, quantity=quantity)
    deadline = (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    competition = services.mini_competition_start(
        actor=kim,
        agreement=item.agreement,
        delivery_address="정부세종청사 6동 정보화담당관실",
        region="sejong",
        submission_deadline=deadline,
        opening_at=deadline + timedelta(hours=1),
        note="2단계경쟁: 노후 PC 일괄 교체",
    )
    tender = demo_sealing.publish(tender=competition.tender, actor=kim)
    for agreement, rate in zip(services.framework_suppliers(item.agreement), ("0.97", "0.93", "0.95"), strict=False):
        _bid(tender, agreement.supplier.members.first().user, int(competition.reference_total * Decimal(rate)))
    _open(tender, kim)
    services.mini_competition_award(competition=competition, actor=lee)


def load(stdout) -> None:
    if Tender.objects.filter(title__in=[OFFICE, PCS]).exists():
        stdout.write("Demo catalogue: already there")
        return
    kim, lee = demo_user("official@example.com"), demo_user("official2@example.com")
    mois, mois_approver = demo_user("mois.official@example.com"), demo_user("mois.approver@example.com")
    suppliers = [demo_user(f"supplier{n}@example.com") for n in (1, 2, 3)]
    office = _conclude(kim, suppliers, OFFICE, "30100000", "800000000", (731_000_000, 742_500_000, 758_000_000))
    pcs = _conclude(kim, suppliers, PCS, "30200000", "2400000000", (2_210_000_000, 2_260_000_000, 2_305_000_000))
    items = _items(kim, office, OFFICE_ITEMS, variants=1) + _items(kim, pcs, PC_ITEMS, variants=1)
    _budget(kim.official.entity, "800000000", "5000000")
    _budget(mois.official.entity, "300000000", "3000000")
    published = list(CatalogueItem.objects.filter(pk__in=[i.pk for i in items], status="published").order_by("pk"))
    _orders(kim, lee, mois, mois_approver, published)
    _mini_competition(kim, lee, [i for i in published if i.agreement_id == pcs[0].pk])
    stdout.write(
        f"Demo catalogue: {FrameworkAgreement.objects.count()} framework agreements, {len(items)} items, "
        f"{Order.objects.count()} orders, {Invoice.objects.count()} invoices"
    )

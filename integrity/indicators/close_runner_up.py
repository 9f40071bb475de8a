"""Winner and runner-up close together: the two lowest valid (ranked) prices differ by at most
`max_gap_pct` percent of the lowest (identical prices are the identical_prices rule).

Value: the gap in percent; flagged when 0 < value <= max_gap_pct.
"""

from decimal import Decimal

from ..models import Stage
from . import Finding, Indicator, rows, tender_filter


class CloseRunnerUp(Indicator):
    id = "close_runner_up"
    stage = Stage.OPENING
    title_ko = "1순위와 2순위의 근소한 가격 차이"
    title_en = "Winner and runner-up very close"
    rationale_ko = (
        "담합한 업체들은 들러리 입찰 가격을 낙찰 예정 업체의 가격 바로 위에 맞추는 경우가 많습니다. 1순위와 "
        "2순위의 차이가 아주 작으면 가격이 서로 공유되었을 가능성이 있습니다. 우연히 가까울 수도 있으니 "
        "다른 지표와 함께 보십시오."
    )
    rationale_en = (
        "Colluding bidders often place a cover bid just above the agreed winner's price. A very small gap between "
        "the lowest and second-lowest price suggests the prices were shared. Close prices also happen by chance: "
        "read it together with other flags."
    )
    explanation_ko = "가장 낮은 두 입찰 가격의 차이가 매우 작았습니다."
    explanation_en = "The two lowest bid prices were unusually close to each other."
    inputs = ("bidding.OpenedBid.price", "bidding.OpenedBid.outcome")

    def find(self, *, tender_ids=None) -> list[Finding]:
        max_gap = self.param("max_gap_pct")
        found = rows(
            f"""WITH ranked AS (
                    SELECT r.tender_id, r.opened_at, ob.supplier_id, ob.price,
                           row_number() OVER (PARTITION BY r.tender_id ORDER BY ob.price, ob.id) AS n
                      FROM bidding_openedbid ob JOIN bidding_openingrecord r ON r.id = ob.opening_id
                     WHERE ob.outcome = 'ranked' AND ob.price > 0 AND {tender_filter("r.tender_id")})
                SELECT a.tender_id, t.entity_id, a.opened_at, a.supplier_id AS first_supplier, a.price AS first_price,
                       b.supplier_id AS second_supplier, b.price AS second_price,
                       round((b.price - a.price) * 100 / a.price, 4) AS gap_pct
                  FROM ranked a JOIN ranked b ON b.tender_id = a.tender_id AND b.n = 2
                  JOIN tenders_tender t ON t.id = a.tender_id
                 WHERE a.n = 1 AND b.price > a.price AND (b.price - a.price) * 100 <= %(max_gap)s * a.price""",
            {"tenders": tender_ids, "max_gap": max_gap},
        )
        return [
            self.tender_finding(
                row["tender_id"],
                row["entity_id"],
                occurred_at=row["opened_at"],
                supplier_ids=[row["first_supplier"], row["second_supplier"]],
                value=Decimal(row["gap_pct"]),
                threshold=max_gap,
                evidence={
                    "lowest": {"supplier": row["first_supplier"], "price": str(row["first_price"])},
                    "second": {"supplier": row["second_supplier"], "price": str(row["second_price"])},
                    "gap_pct": str(row["gap_pct"]),
                    "max_gap_pct": str(max_gap),
                },
            )
            for row in found
        ]


RULE = CloseRunnerUp()

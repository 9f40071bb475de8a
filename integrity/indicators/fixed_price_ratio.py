"""Prices in a fixed ratio to the estimate (cover bidding): the same set of companies bid together on
at least `min_tenders` tenders and one of them priced every bid at the same percentage of the
estimate, within `max_spread_pct` percentage points.

Value: the spread (max − min of price ÷ estimate × 100); flagged when value <= max_spread_pct.
"""

from decimal import Decimal

from ..models import Stage
from . import OPENED_BIDS_SQL, Finding, Indicator, rows, set_key


class FixedPriceRatio(Indicator):
    id = "fixed_price_ratio"
    stage = Stage.PORTFOLIO
    per_tender = False
    title_ko = "예정가격 대비 고정 비율 입찰(들러리 의심)"
    title_en = "Bids at a fixed ratio to the estimate (cover bidding)"
    rationale_ko = (
        "같은 업체들이 함께 입찰할 때 한 업체가 매번 추정가격의 같은 비율로 입찰한다면, 실제 원가를 계산하지 않고 "
        "정해진 공식으로 들러리 가격을 낸 것일 수 있습니다."
    )
    rationale_en = (
        "When the same companies bid together and one of them always bids the same percentage of the estimate, it "
        "may be pricing a cover bid by formula rather than by its own costs."
    )
    explanation_ko = "함께 입찰하는 같은 업체들 중 한 업체가 매번 추정가격의 거의 같은 비율로 입찰했습니다."
    explanation_en = "Among the same group of bidders, one company always bid almost the same share of the estimate."
    inputs = ("bidding.OpenedBid.price", "tenders.Tender.estimated_value")

    def find(self, *, tender_ids=None) -> list[Finding]:
        min_tenders = int(self.params["min_tenders"])
        max_spread = self.param("max_spread_pct")
        found = rows(
            f"""WITH ob AS ({OPENED_BIDS_SQL}),
                priced AS (
                    SELECT ob.tender_id, ob.supplier_id, ob.price * 100 / t.estimated_value AS pct
                      FROM ob JOIN tenders_tender t ON t.id = ob.tender_id
                     WHERE ob.price IS NOT NULL AND t.estimated_value > 0),
                groups AS (
                    SELECT tender_id, array_agg(supplier_id ORDER BY supplier_id) AS bidders
                      FROM priced GROUP BY tender_id HAVING count(*) >= 2),
                steady AS (
                    SELECT g.bidders, p.supplier_id, count(*) AS tenders,
                           max(p.pct) - min(p.pct) AS spread, avg(p.pct) AS mean_pct,
                           array_agg(p.tender_id ORDER BY p.tender_id) AS tender_ids
                      FROM groups g JOIN priced p ON p.tender_id = g.tender_id
                     GROUP BY g.bidders, p.supplier_id
                    HAVING count(*) >= %(min_tenders)s AND max(p.pct) - min(p.pct) <= %(max_spread)s)
                SELECT s.*, (SELECT max(r.opened_at) FROM bidding_openingrecord r
                              WHERE r.tender_id = ANY(s.tender_ids)) AS last_at
                  FROM steady s""",
            {"min_tenders": min_tenders, "max_spread": max_spread},
        )
        return [
            Finding(
                key=set_key(self.id, row["supplier_id"], *row["bidders"]),
                occurred_at=row["last_at"],
                tender_ids=list(row["tender_ids"]),
                supplier_ids=list(row["bidders"]),
                value=Decimal(row["spread"]).quantize(Decimal("0.0001")),
                threshold=max_spread,
                evidence={
                    "steady_bidder": row["supplier_id"],
                    "bidders": list(row["bidders"]),
                    "tenders": list(row["tender_ids"]),
                    "mean_pct_of_estimate": str(Decimal(row["mean_pct"]).quantize(Decimal("0.0001"))),
                    "spread_pct_points": str(Decimal(row["spread"]).quantize(Decimal("0.0001"))),
                },
            )
            for row in found
        ]


RULE = FixedPriceRatio()

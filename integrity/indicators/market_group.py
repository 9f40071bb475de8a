"""Groups of suppliers dominating a regional market (BRIAS-style): in one region and category with
at least `min_tenders` opened tenders, two companies bid together on at least
`min_participation_pct` percent of them, and one of the two won at least `min_win_share_pct`
percent of the tenders they bid on together.

The region is the first word of the place of delivery (Korean addresses begin with the province or
metropolitan city: 서울특별시, 경기도, …). Value: the pair's participation rate in percent.
"""

from decimal import Decimal

from ..models import Stage
from . import WINNERS_SQL, Finding, Indicator, rows, set_key


class MarketGroup(Indicator):
    id = "market_group"
    stage = Stage.PORTFOLIO
    per_tender = False
    title_ko = "지역·업종 시장의 업체군 참여·낙찰 집중"
    title_en = "A group of suppliers dominating a regional market"
    rationale_ko = (
        "입찰담합 징후 분석(BRIAS)처럼, 한 지역·업종의 공고 대부분에 같은 업체들이 함께 참여하고 그중 한 업체가 "
        "대부분 낙찰받는다면 시장을 나누어 가졌을 수 있습니다."
    )
    rationale_en = (
        "As in Korea's bid-rigging indicator analysis (BRIAS): when the same companies take part together in most "
        "tenders of one region and category and one of them nearly always wins, they may be sharing the market."
    )
    explanation_ko = "이 지역·업종의 공고 대부분에 같은 업체들이 함께 참여했고, 그중 한 업체가 대부분 낙찰받았습니다."
    explanation_en = "The same companies bid together on most tenders of this region and category and mostly won."
    inputs = ("tenders.Tender.delivery_place", "tenders.Tender.category", "bidding.Bid", "contracts.Award")

    def find(self, *, tender_ids=None) -> list[Finding]:
        min_tenders = int(self.params["min_tenders"])
        min_part = self.param("min_participation_pct")
        min_win = self.param("min_win_share_pct")
        found = rows(
            f"""WITH market_tenders AS (
                    SELECT t.id AS tender_id, split_part(btrim(t.delivery_place), ' ', 1) AS region, t.category
                      FROM tenders_tender t JOIN bidding_openingrecord r ON r.tender_id = t.id
                     WHERE btrim(t.delivery_place) <> ''),
                markets AS (
                    SELECT region, category, count(*) AS tenders FROM market_tenders
                     GROUP BY region, category HAVING count(*) >= %(min_tenders)s),
                bids AS (
                    SELECT m.region, m.category, mt.tender_id, b.supplier_id
                      FROM market_tenders mt JOIN markets m USING (region, category)
                      JOIN bidding_bid b ON b.tender_id = mt.tender_id AND b.status NOT IN ('submitted', 'withdrawn')),
                w AS ({WINNERS_SQL}),
                pairs AS (
                    SELECT a.region, a.category, a.supplier_id AS first, b.supplier_id AS second,
                           count(*) AS together,
                           count(*) FILTER (WHERE w.supplier_id IN (a.supplier_id, b.supplier_id)) AS won,
                           array_agg(a.tender_id ORDER BY a.tender_id) AS tenders
                      FROM bids a JOIN bids b ON b.tender_id = a.tender_id AND b.supplier_id > a.supplier_id
                      LEFT JOIN w ON w.tender_id = a.tender_id
                     GROUP BY a.region, a.category, a.supplier_id, b.supplier_id)
                SELECT p.*, m.tenders AS market_tenders,
                       (SELECT max(r.opened_at) FROM bidding_openingrecord r
                         WHERE r.tender_id = ANY(p.tenders)) AS last_at
                  FROM pairs p JOIN markets m USING (region, category)
                 WHERE p.together * 100 >= %(min_part)s * m.tenders AND p.won * 100 >= %(min_win)s * p.together""",
            {"min_tenders": min_tenders, "min_part": min_part, "min_win": min_win},
        )
        return [
            Finding(
                key=set_key(self.id, row["region"], row["category"], row["first"], row["second"]),
                occurred_at=row["last_at"],
                tender_ids=list(row["tenders"]),
                supplier_ids=[row["first"], row["second"]],
                value=(Decimal(row["together"]) * 100 / row["market_tenders"]).quantize(Decimal("0.01")),
                threshold=min_part,
                evidence={
                    "region": row["region"],
                    "category": row["category"],
                    "market_tenders": row["market_tenders"],
                    "bid_together": row["together"],
                    "won_together": row["won"],
                    "participation_pct": str(
                        (Decimal(row["together"]) * 100 / row["market_tenders"]).quantize(Decimal("0.01"))
                    ),
                    "win_share_pct": str((Decimal(row["won"]) * 100 / row["together"]).quantize(Decimal("0.01"))),
                },
            )
            for row in found
        ]


RULE = MarketGroup()

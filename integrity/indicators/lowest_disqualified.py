"""Lowest bid disqualified: the award went to a bid while at least `min_lower_disqualified` valid
(ranked) bids priced lower were disqualified by the entity. Bids set aside mechanically at opening
(below the floor, above the planned price) do not count: nobody chose to exclude them.

Value: the number of lower-priced bids disqualified; flagged when value >= min_lower_disqualified.
"""

from decimal import Decimal

from ..models import Stage
from . import OPENED_BIDS_SQL, WINNERS_SQL, Finding, Indicator, rows, tender_filter


class LowestDisqualified(Indicator):
    id = "lowest_disqualified"
    stage = Stage.AWARD
    title_ko = "최저가 입찰의 탈락"
    title_en = "Lowest bid disqualified"
    rationale_ko = (
        "더 낮은 가격의 유효한 입찰이 적격심사에서 탈락하고 더 비싼 입찰이 낙찰되면, 심사가 특정 업체를 위해 "
        "쓰였을 수 있으며 예산이 더 듭니다. 탈락 사유가 문서로 뒷받침되는지 확인하십시오."
    )
    rationale_en = (
        "When cheaper valid bids are disqualified and a dearer one wins, qualification review may have been used "
        "to favour a supplier, and the buyer pays more. Check that the reasons given are documented."
    )
    explanation_ko = "더 낮은 가격의 입찰이 탈락하고 더 높은 가격의 입찰이 낙찰되었습니다."
    explanation_en = "Lower-priced bids were disqualified and a higher-priced bid won."
    inputs = ("contracts.Award", "bidding.OpenedBid.price", "bidding.Bid.status")

    def find(self, *, tender_ids=None) -> list[Finding]:
        minimum = int(self.params["min_lower_disqualified"])
        found = rows(
            f"""WITH w AS ({WINNERS_SQL}), ob AS ({OPENED_BIDS_SQL})
                SELECT w.tender_id, t.entity_id, w.supplier_id AS winner, w.awarded_at, wb.price AS winning_price,
                       array_agg(ob.supplier_id ORDER BY ob.price) AS disqualified,
                       array_agg(ob.price::text ORDER BY ob.price) AS prices, min(ob.price) AS lowest
                  FROM w JOIN tenders_tender t ON t.id = w.tender_id
                  JOIN bidding_openedbid wb ON wb.bid_id = w.bid_id
                  JOIN ob ON ob.tender_id = w.tender_id AND ob.bid_id <> w.bid_id
                 WHERE ob.outcome = 'ranked' AND ob.bid_status = 'disqualified' AND ob.price < wb.price
                   AND {tender_filter("w.tender_id")}
                 GROUP BY w.tender_id, t.entity_id, w.supplier_id, w.awarded_at, wb.price
                HAVING count(*) >= %(minimum)s""",
            {"tenders": tender_ids, "minimum": minimum},
        )
        return [
            self.tender_finding(
                row["tender_id"],
                row["entity_id"],
                occurred_at=row["awarded_at"],
                supplier_ids=[row["winner"], *row["disqualified"]],
                value=len(row["disqualified"]),
                threshold=minimum,
                evidence={
                    "winner": row["winner"],
                    "winning_price": str(row["winning_price"]),
                    "disqualified_lower": [
                        {"supplier": s, "price": p} for s, p in zip(row["disqualified"], row["prices"], strict=True)
                    ],
                    "extra_cost_pct": str(
                        ((row["winning_price"] - row["lowest"]) * 100 / row["lowest"]).quantize(Decimal("0.01"))
                    ),
                },
            )
            for row in found
        ]


RULE = LowestDisqualified()

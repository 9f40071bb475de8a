"""Single bid: a competitive tender opened with only one bid (at most `max_bids`).

Value: the number of bids opened; flagged when 1 <= value <= max_bids.
"""

from ..models import Stage
from . import Finding, Indicator, rows, tender_filter


class SingleBid(Indicator):
    id = "single_bid"
    stage = Stage.OPENING
    title_ko = "단독 입찰"
    title_en = "Single bid"
    rationale_ko = (
        "공개 경쟁 입찰에 한 업체만 응찰하면 가격 경쟁이 없습니다. 조건이 특정 업체에 맞춰졌거나 다른 업체가 "
        "입찰을 포기하도록 합의했을 수 있습니다. 시장에 공급자가 적은 품목인지 확인하십시오."
    )
    rationale_en = (
        "With one bidder there is no price competition. The requirements may have been tailored to one supplier, "
        "or others may have agreed to stay out. Check whether the market simply has few suppliers."
    )
    explanation_ko = "이 공고에는 한 업체만 입찰했습니다."
    explanation_en = "Only one company bid for this tender."
    inputs = ("bidding.OpeningRecord.bid_count", "bidding.OpenedBid")

    def find(self, *, tender_ids=None) -> list[Finding]:
        max_bids = int(self.params["max_bids"])
        found = rows(
            f"""SELECT r.tender_id, t.entity_id, r.bid_count, r.opened_at,
                       ARRAY(SELECT ob.supplier_id FROM bidding_openedbid ob WHERE ob.opening_id = r.id) AS suppliers
                  FROM bidding_openingrecord r JOIN tenders_tender t ON t.id = r.tender_id
                 WHERE r.bid_count BETWEEN 1 AND %(max_bids)s AND {tender_filter("r.tender_id")}""",
            {"tenders": tender_ids, "max_bids": max_bids},
        )
        return [
            self.tender_finding(
                row["tender_id"],
                row["entity_id"],
                occurred_at=row["opened_at"],
                supplier_ids=list(row["suppliers"]),
                value=row["bid_count"],
                threshold=max_bids,
                evidence={"bids_opened": row["bid_count"], "max_bids": max_bids},
            )
            for row in found
        ]


RULE = SingleBid()

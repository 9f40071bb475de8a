"""Single bids for a repeated buyer–supplier pair: one buyer awarded at least `min_awards` tenders
that drew a single bid to the same company within `window_days`.

Value: the number of such awards; flagged when value >= min_awards.
"""

from ..models import Stage
from . import WINNERS_SQL, Finding, Indicator, rows


class RepeatSingleBidPair(Indicator):
    id = "repeat_single_bid_pair"
    stage = Stage.PORTFOLIO
    per_tender = False
    title_ko = "같은 발주기관-업체 간 반복 단독 입찰"
    title_en = "Repeated single bids between one buyer and one supplier"
    rationale_ko = (
        "한 기관이 같은 업체에 단독 입찰로 여러 번 낙찰하면, 공고 조건이나 홍보가 다른 업체를 배제하고 있을 수 "
        "있습니다. 한 번의 단독 입찰보다 반복되는 관계가 더 강한 신호입니다."
    )
    rationale_en = (
        "A buyer that repeatedly awards single-bid tenders to the same company may be shaping notices or terms to "
        "keep others out. A repeated relationship is a stronger signal than one single bid."
    )
    explanation_ko = "이 기관은 단독 입찰 공고를 같은 업체에 여러 번 낙찰했습니다."
    explanation_en = "This buyer has awarded several single-bid tenders to the same company."
    inputs = ("contracts.Award", "bidding.OpeningRecord.bid_count", "tenders.Tender.entity")

    def find(self, *, tender_ids=None) -> list[Finding]:
        minimum = int(self.params["min_awards"])
        found = rows(
            f"""WITH w AS ({WINNERS_SQL})
                SELECT t.entity_id, w.supplier_id, count(*) AS awards, max(w.awarded_at) AS last_at,
                       array_agg(w.tender_id ORDER BY w.awarded_at) AS tenders
                  FROM w JOIN tenders_tender t ON t.id = w.tender_id
                  JOIN bidding_openingrecord r ON r.tender_id = w.tender_id AND r.bid_count = 1
                 WHERE w.awarded_at >= now() - make_interval(days => %(window)s)
                 GROUP BY t.entity_id, w.supplier_id HAVING count(*) >= %(minimum)s""",
            {"minimum": minimum, "window": int(self.params["window_days"])},
        )
        return [
            Finding(
                key=f"{self.id}:entity:{row['entity_id']}:supplier:{row['supplier_id']}",
                occurred_at=row["last_at"],
                entity_id=row["entity_id"],
                tender_ids=list(row["tenders"]),
                supplier_ids=[row["supplier_id"]],
                value=row["awards"],
                threshold=minimum,
                evidence={"single_bid_awards": list(row["tenders"]), "window_days": self.params["window_days"]},
            )
            for row in found
        ]


RULE = RepeatSingleBidPair()

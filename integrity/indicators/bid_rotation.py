"""Bid rotation: the same group of at least `min_members` companies bid together on at least
`min_tenders` of one buyer's awarded tenders, and every member of the group won at least once —
they took turns.

Value: the number of tenders the group bid on together; flagged when value >= min_tenders.
"""

from ..models import Stage
from . import WINNERS_SQL, Finding, Indicator, rows, set_key


class BidRotation(Indicator):
    id = "bid_rotation"
    stage = Stage.PORTFOLIO
    per_tender = False
    title_ko = "낙찰 순번제(입찰 순환)"
    title_en = "Bid rotation"
    rationale_ko = (
        "같은 업체들이 한 기관의 공고에 함께 입찰하면서 돌아가며 낙찰받는다면, 낙찰 순서를 미리 정했을 수 있습니다"
        "(공정거래위원회의 입찰담합 징후). 업체 수가 적은 시장에서는 우연일 수도 있습니다."
    )
    rationale_en = (
        "When the same companies bid together on one buyer's tenders and take turns winning, they may have agreed "
        "the order in advance (a classic bid-rigging sign). In a market with few suppliers it can be chance."
    )
    explanation_ko = "같은 업체들이 이 기관의 공고에 함께 입찰하며 돌아가며 낙찰받았습니다."
    explanation_en = "The same companies bid together on this buyer's tenders and took turns winning."
    inputs = ("contracts.Award", "bidding.Bid", "tenders.Tender.entity")

    def find(self, *, tender_ids=None) -> list[Finding]:
        min_tenders = int(self.params["min_tenders"])
        min_members = int(self.params["min_members"])
        found = rows(
            f"""WITH w AS ({WINNERS_SQL}),
                groups AS (
                    SELECT w.tender_id, w.supplier_id AS winner, w.awarded_at, t.entity_id,
                           array_agg(b.supplier_id ORDER BY b.supplier_id) AS members
                      FROM w JOIN tenders_tender t ON t.id = w.tender_id
                      JOIN bidding_bid b ON b.tender_id = w.tender_id AND b.status NOT IN ('submitted', 'withdrawn')
                     GROUP BY w.tender_id, w.supplier_id, w.awarded_at, t.entity_id)
                SELECT entity_id, members, count(*) AS tenders, max(awarded_at) AS last_at,
                       array_agg(tender_id ORDER BY awarded_at) AS tender_ids,
                       array_agg(winner ORDER BY awarded_at) AS winners
                  FROM groups WHERE cardinality(members) >= %(min_members)s
                 GROUP BY entity_id, members
                HAVING count(*) >= %(min_tenders)s AND count(DISTINCT winner) = cardinality(members)""",
            {"min_tenders": min_tenders, "min_members": min_members},
        )
        return [
            Finding(
                key=set_key(self.id, row["entity_id"], *row["members"]),
                occurred_at=row["last_at"],
                entity_id=row["entity_id"],
                tender_ids=list(row["tender_ids"]),
                supplier_ids=list(row["members"]),
                value=row["tenders"],
                threshold=min_tenders,
                evidence={
                    "members": list(row["members"]),
                    "sequence": [
                        {"tender": t, "winner": w} for t, w in zip(row["tender_ids"], row["winners"], strict=True)
                    ],
                },
            )
            for row in found
        ]


RULE = BidRotation()

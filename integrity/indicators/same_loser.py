"""The same company always losing to the same winner: a company bid against one winner on at least
`min_losses` tenders that winner was awarded, and never won when both bid.

Value: the number of losses; flagged when value >= min_losses.
"""

from ..models import Stage
from . import WINNERS_SQL, Finding, Indicator, rows


class SameLoser(Indicator):
    id = "same_loser"
    stage = Stage.PORTFOLIO
    per_tender = False
    title_ko = "같은 낙찰자에게 계속 지는 업체"
    title_en = "Always losing to the same winner"
    rationale_ko = (
        "한 업체가 같은 낙찰자와 경쟁할 때마다 지고 한 번도 이기지 못한다면, 낙찰자를 위한 들러리로 참여하고 "
        "있을 가능성이 있습니다(입찰 담합의 전형적인 형태)."
    )
    rationale_en = (
        "A company that loses to the same winner every time they meet, and never beats it, may be bidding only "
        "to give the winner an appearance of competition (a cover bidder)."
    )
    explanation_ko = "이 입찰에 참여한 한 업체는 같은 낙찰자와 경쟁할 때마다 졌습니다."
    explanation_en = "One bidder here has lost to the same winner every time they met."
    inputs = ("contracts.Award", "bidding.Bid")

    def find(self, *, tender_ids=None) -> list[Finding]:
        minimum = int(self.params["min_losses"])
        found = rows(
            f"""WITH w AS ({WINNERS_SQL}),
                meetings AS (
                    SELECT w.supplier_id AS winner, b.supplier_id AS loser, count(*) AS losses,
                           max(w.awarded_at) AS last_at, array_agg(w.tender_id ORDER BY w.awarded_at) AS tenders
                      FROM w JOIN bidding_bid b ON b.tender_id = w.tender_id AND b.supplier_id <> w.supplier_id
                     WHERE b.status NOT IN ('submitted', 'withdrawn')
                     GROUP BY w.supplier_id, b.supplier_id)
                SELECT m.* FROM meetings m
                 WHERE m.losses >= %(minimum)s
                   AND NOT EXISTS (SELECT 1 FROM meetings r WHERE r.winner = m.loser AND r.loser = m.winner)""",
            {"minimum": minimum},
        )
        return [
            Finding(
                key=f"{self.id}:winner:{row['winner']}:loser:{row['loser']}",
                occurred_at=row["last_at"],
                tender_ids=list(row["tenders"]),
                supplier_ids=[row["winner"], row["loser"]],
                value=row["losses"],
                threshold=minimum,
                evidence={"winner": row["winner"], "loser": row["loser"], "tenders": list(row["tenders"])},
            )
            for row in found
        ]


RULE = SameLoser()

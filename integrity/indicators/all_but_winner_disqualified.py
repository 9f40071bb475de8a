"""All but the winner disqualified: every other valid (ranked) bid was disqualified by the entity,
at least `min_disqualified` of them.

Value: the number of other bids disqualified; flagged when value >= min_disqualified and no other
ranked bid survived.
"""

from ..models import Stage
from . import OPENED_BIDS_SQL, WINNERS_SQL, Finding, Indicator, rows, tender_filter


class AllButWinnerDisqualified(Indicator):
    id = "all_but_winner_disqualified"
    stage = Stage.AWARD
    title_ko = "낙찰자를 제외한 전원 탈락"
    title_en = "Every bid but the winner's disqualified"
    rationale_ko = (
        "낙찰자 외의 모든 유효 입찰이 탈락했다면 경쟁이 사실상 사라진 것입니다. 요건이 특정 업체만 충족하도록 "
        "되어 있었거나 심사가 자의적이었을 수 있습니다."
    )
    rationale_en = (
        "When every other valid bid is disqualified, competition effectively disappears. The requirements may fit "
        "only one supplier, or the review may have been arbitrary."
    )
    explanation_ko = "낙찰자를 제외한 모든 입찰이 탈락했습니다."
    explanation_en = "Every bid except the winner's was disqualified."
    inputs = ("contracts.Award", "bidding.OpenedBid.outcome", "bidding.Bid.status")

    def find(self, *, tender_ids=None) -> list[Finding]:
        minimum = int(self.params["min_disqualified"])
        found = rows(
            f"""WITH w AS ({WINNERS_SQL}), ob AS ({OPENED_BIDS_SQL})
                SELECT w.tender_id, t.entity_id, w.supplier_id AS winner, w.awarded_at,
                       array_agg(ob.supplier_id ORDER BY ob.supplier_id) AS others
                  FROM w JOIN tenders_tender t ON t.id = w.tender_id
                  JOIN ob ON ob.tender_id = w.tender_id AND ob.bid_id <> w.bid_id AND ob.outcome = 'ranked'
                 WHERE {tender_filter("w.tender_id")}
                 GROUP BY w.tender_id, t.entity_id, w.supplier_id, w.awarded_at
                HAVING bool_and(ob.bid_status = 'disqualified') AND count(*) >= %(minimum)s""",
            {"tenders": tender_ids, "minimum": minimum},
        )
        return [
            self.tender_finding(
                row["tender_id"],
                row["entity_id"],
                occurred_at=row["awarded_at"],
                supplier_ids=[row["winner"], *row["others"]],
                value=len(row["others"]),
                threshold=minimum,
                evidence={"winner": row["winner"], "disqualified": list(row["others"])},
            )
            for row in found
        ]


RULE = AllButWinnerDisqualified()

"""Cancellation and re-tender with the same winner: a tender cancelled or unsuccessful after its
bids were opened, re-tendered within `window_days`, and the re-tender awarded to a company that had
bid on the original. (A tender cancelled before opening is not used: its bidders stay sealed.)

Value: days from the original's end to the re-tender's publication; flagged when value <= window_days.
"""

from decimal import ROUND_HALF_UP, Decimal

from ..models import Stage
from . import WINNERS_SQL, Finding, Indicator, rows, tender_filter


class RetenderSameWinner(Indicator):
    id = "retender_same_winner"
    stage = Stage.AWARD
    title_ko = "취소 후 재공고에서 같은 업체 낙찰"
    title_en = "Cancelled and re-tendered, won by the same bidder"
    rationale_ko = (
        "입찰을 연 뒤 공고를 취소하고 다시 공고하여 원래 입찰에 참여했던 업체가 낙찰되면, 원하는 업체가 "
        "낙찰되지 않아 절차를 다시 시작했을 가능성이 있습니다. 취소 사유를 확인하십시오."
    )
    rationale_en = (
        "Opening bids, cancelling and re-tendering until a bidder of the first round wins can mean the process was "
        "restarted because the wanted supplier had not won. Check the reason for the cancellation."
    )
    explanation_ko = "이전 공고가 개찰 후 취소되었고, 그 공고에 입찰했던 업체가 재공고에서 낙찰되었습니다."
    explanation_en = "An earlier tender was cancelled after opening and a bidder from it won this re-tender."
    inputs = ("tenders.Tender.retendered_from", "tenders.Tender.status", "contracts.Award", "bidding.OpenedBid")

    def find(self, *, tender_ids=None) -> list[Finding]:
        window = int(self.params["window_days"])
        found = rows(
            f"""WITH w AS ({WINNERS_SQL})
                SELECT w.tender_id, t.entity_id, w.supplier_id AS winner, w.awarded_at, o.id AS original,
                       o.status AS original_status, ob.rank AS original_rank, ob.price AS original_price,
                       extract(epoch FROM t.published_at - o.status_changed_at) / 86400 AS gap_days
                  FROM w JOIN tenders_tender t ON t.id = w.tender_id
                  JOIN tenders_tender o ON o.id = t.retendered_from_id
                  JOIN bidding_openingrecord r ON r.tender_id = o.id
                  JOIN bidding_openedbid ob ON ob.opening_id = r.id AND ob.supplier_id = w.supplier_id
                 WHERE o.status IN ('cancelled', 'unsuccessful')
                   AND t.published_at - o.status_changed_at <= make_interval(days => %(window)s)
                   AND {tender_filter("w.tender_id")}""",
            {"tenders": tender_ids, "window": window},
        )
        return [
            self.tender_finding(
                row["tender_id"],
                row["entity_id"],
                occurred_at=row["awarded_at"],
                also=[row["original"]],
                supplier_ids=[row["winner"]],
                value=Decimal(row["gap_days"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
                threshold=window,
                evidence={
                    "original_tender": row["original"],
                    "original_status": row["original_status"],
                    "winner": row["winner"],
                    "winner_rank_in_original": row["original_rank"],
                    "winner_price_in_original": str(row["original_price"]) if row["original_price"] else None,
                },
            )
            for row in found
        ]


RULE = RetenderSameWinner()

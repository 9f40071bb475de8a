"""A buyer's awards concentrated on one supplier: of a buyer's awarded value within `window_days`
(at least `min_awards` awards), one company took at least `min_share_pct` percent.

Value: that company's share in percent; flagged when value >= min_share_pct.
"""

from decimal import Decimal

from ..models import Stage
from . import WINNERS_SQL, Finding, Indicator, rows


class AwardConcentration(Indicator):
    id = "award_concentration"
    stage = Stage.PORTFOLIO
    per_tender = False
    title_ko = "특정 업체에 낙찰 집중"
    title_en = "A buyer's awards concentrated on one supplier"
    rationale_ko = (
        "한 기관의 낙찰 금액 대부분이 한 업체에 돌아간다면 유착이나 경쟁 제한이 있을 수 있습니다. 독점 품목이나 "
        "장기 유지보수처럼 정당한 이유가 있는지 확인하십시오."
    )
    rationale_en = (
        "When most of a buyer's awarded value goes to one company, there may be favouritism or restricted "
        "competition. Check for legitimate reasons (a sole source, long-running maintenance)."
    )
    explanation_ko = "이 기관의 낙찰 금액 중 큰 비중이 한 업체에 돌아갔습니다."
    explanation_en = "A large share of this buyer's awarded value went to one company."
    inputs = ("contracts.Award.value", "tenders.Tender.entity")

    def find(self, *, tender_ids=None) -> list[Finding]:
        min_awards = int(self.params["min_awards"])
        min_share = self.param("min_share_pct")
        found = rows(
            f"""WITH w AS ({WINNERS_SQL}),
                recent AS (
                    SELECT t.entity_id, w.* FROM w JOIN tenders_tender t ON t.id = w.tender_id
                     WHERE w.awarded_at >= now() - make_interval(days => %(window)s)),
                buyers AS (
                    SELECT entity_id, sum(value) AS total, count(*) AS awards FROM recent
                     GROUP BY entity_id HAVING count(*) >= %(min_awards)s AND sum(value) > 0)
                SELECT r.entity_id, r.supplier_id, b.total, b.awards, sum(r.value) AS won, count(*) AS won_awards,
                       max(r.awarded_at) AS last_at, array_agg(r.tender_id ORDER BY r.awarded_at) AS tenders
                  FROM recent r JOIN buyers b ON b.entity_id = r.entity_id
                 GROUP BY r.entity_id, r.supplier_id, b.total, b.awards
                HAVING sum(r.value) * 100 >= %(min_share)s * b.total""",
            {"min_awards": min_awards, "min_share": min_share, "window": int(self.params["window_days"])},
        )
        return [
            Finding(
                key=f"{self.id}:entity:{row['entity_id']}:supplier:{row['supplier_id']}",
                occurred_at=row["last_at"],
                entity_id=row["entity_id"],
                tender_ids=list(row["tenders"]),
                supplier_ids=[row["supplier_id"]],
                value=(row["won"] * 100 / row["total"]).quantize(Decimal("0.01")),
                threshold=min_share,
                evidence={
                    "awarded_value_total": str(row["total"]),
                    "awarded_value_to_supplier": str(row["won"]),
                    "awards_total": row["awards"],
                    "awards_to_supplier": row["won_awards"],
                    "window_days": self.params["window_days"],
                },
            )
            for row in found
        ]


RULE = AwardConcentration()

"""Identical bid prices: at least `min_bids` bids on one tender at exactly the same price.

Value: the size of the largest group of equal prices; flagged when value >= min_bids.
"""

from ..models import Stage
from . import Finding, Indicator, group_findings, rows, tender_filter


class IdenticalPrices(Indicator):
    id = "identical_prices"
    stage = Stage.OPENING
    title_ko = "동일한 입찰 가격"
    title_en = "Identical bid prices"
    rationale_ko = (
        "서로 독립적으로 계산한 입찰 가격이 원 단위까지 같은 경우는 드뭅니다. 같은 사람이 작성했거나 가격을 "
        "공유했을 수 있습니다. 복수예비가격 방식에서는 낙찰하한가 근처에 가격이 몰릴 수 있으니 금액을 확인하십시오."
    )
    rationale_en = (
        "Prices worked out independently rarely match to the last won. Identical prices suggest one author or "
        "shared prices. Under the floor-rate method bids crowd near the floor: check the amounts."
    )
    explanation_ko = "둘 이상의 업체가 정확히 같은 가격으로 입찰했습니다."
    explanation_en = "Two or more companies bid exactly the same price."
    inputs = ("bidding.OpenedBid.price",)

    def find(self, *, tender_ids=None) -> list[Finding]:
        min_bids = int(self.params["min_bids"])
        found = rows(
            f"""WITH same AS (
                    SELECT r.tender_id, max(r.opened_at) AS opened_at, ob.price,
                           array_agg(ob.supplier_id ORDER BY ob.supplier_id) AS suppliers
                      FROM bidding_openedbid ob JOIN bidding_openingrecord r ON r.id = ob.opening_id
                     WHERE ob.price IS NOT NULL AND {tender_filter("r.tender_id")}
                     GROUP BY r.tender_id, ob.price HAVING count(*) >= %(min_bids)s)
                SELECT s.tender_id, t.entity_id, max(s.opened_at) AS opened_at,
                       json_agg(json_build_object('price', s.price::text, 'suppliers', s.suppliers)
                                ORDER BY s.price) AS groups,
                       max(cardinality(s.suppliers)) AS largest
                  FROM same s JOIN tenders_tender t ON t.id = s.tender_id
                 GROUP BY s.tender_id, t.entity_id""",
            {"tenders": tender_ids, "min_bids": min_bids},
        )
        return group_findings(self, found, min_bids=min_bids)


RULE = IdenticalPrices()

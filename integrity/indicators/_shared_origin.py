"""Bids on one tender from different companies sharing one keyed hash (network address or browser)."""

from ..models import Stage
from . import Finding, Indicator, group_findings, rows, tender_filter


class SharedOrigin(Indicator):
    stage = Stage.OPENING
    column = ""
    extra_condition = "TRUE"

    def find(self, *, tender_ids=None) -> list[Finding]:
        min_bids = int(self.params["min_bids"])
        # Every version counts (a replacement sent from a rival's office is as telling as a first bid),
        # but only tenders already opened: before that even the number of bids is sealed.
        found = rows(
            f"""WITH shared AS (
                    SELECT o.tender_id, left(o.{self.column}, 12) AS hash_prefix,
                           array_agg(DISTINCT o.supplier_id ORDER BY o.supplier_id) AS suppliers
                      FROM integrity_bidorigin o
                     WHERE {self.extra_condition} AND {tender_filter("o.tender_id")}
                       AND EXISTS (SELECT 1 FROM bidding_openingrecord r WHERE r.tender_id = o.tender_id)
                     GROUP BY o.tender_id, o.{self.column}
                    HAVING count(DISTINCT o.supplier_id) >= %(min_bids)s)
                SELECT s.tender_id, t.entity_id, r.opened_at,
                       json_agg(json_build_object('hash', s.hash_prefix, 'suppliers', s.suppliers)) AS groups,
                       max(cardinality(s.suppliers)) AS largest
                  FROM shared s JOIN tenders_tender t ON t.id = s.tender_id
                  JOIN bidding_openingrecord r ON r.tender_id = s.tender_id
                 GROUP BY s.tender_id, t.entity_id, r.opened_at""",
            {"tenders": tender_ids, "min_bids": min_bids},
        )
        return group_findings(self, found, min_bids=min_bids)

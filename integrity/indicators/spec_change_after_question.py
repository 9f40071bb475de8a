"""Specification changed after one supplier's questions: an amendment changed the specification
(description, eligibility, documents, classifications, delivery, evaluation, value) and every question
asked since the previous version came from at most `max_askers` companies.

Value: the number of companies that asked; flagged when 1 <= value <= max_askers. Computed when the
bids are opened (all amendments are in by then); who asked is shown to auditors only.
"""

from ..models import Stage
from . import Finding, Indicator, rows, tender_filter

SPEC_FIELDS = (
    "description",
    "eligibility",
    "documents",
    "classifications",
    "delivery_place",
    "delivery_period",
    "evaluation_method",
    "evaluation_params",
    "estimated_value",
)


class SpecChangeAfterQuestion(Indicator):
    id = "spec_change_after_question"
    stage = Stage.OPENING
    title_ko = "한 업체의 질의 후 규격 변경"
    title_en = "Specification changed after one supplier's questions"
    rationale_ko = (
        "한 업체만 질의한 뒤 규격이나 자격 요건이 바뀌면, 그 업체에 유리하게 조건이 조정되었을 수 있습니다. "
        "질의가 정당한 오류 지적이었는지, 변경이 모든 업체에 도움이 되었는지 확인하십시오."
    )
    rationale_en = (
        "When the specification or eligibility changes after questions from a single company, the terms may have "
        "been adjusted in its favour. Check whether the question pointed out a genuine error that helps everyone."
    )
    explanation_ko = "한 업체의 질의 이후 공고 규격이 변경되었습니다."
    explanation_en = "The specification was amended after questions from a single company."
    inputs = ("tenders.TenderVersion.snapshot", "tenders.Clarification.supplier", "bidding.OpeningRecord")

    def find(self, *, tender_ids=None) -> list[Finding]:
        max_askers = int(self.params["max_askers"])
        changed = " || ".join(
            f"CASE WHEN v.snapshot -> '{f}' IS DISTINCT FROM p.snapshot -> '{f}' THEN ARRAY['{f}'] "
            "ELSE ARRAY[]::text[] END"
            for f in SPEC_FIELDS
        )
        found = rows(
            f"""WITH amendments AS (
                    SELECT v.tender_id, v.amendment_number, v.created_at, p.created_at AS previous_at,
                           ({changed}) AS fields
                      FROM tenders_tenderversion v
                      JOIN tenders_tenderversion p
                        ON p.tender_id = v.tender_id AND p.amendment_number = v.amendment_number - 1
                     WHERE v.amendment_number >= 1 AND {tender_filter("v.tender_id")}
                       AND EXISTS (SELECT 1 FROM bidding_openingrecord r WHERE r.tender_id = v.tender_id)),
                asked AS (
                    SELECT a.tender_id, a.amendment_number, a.created_at, a.fields,
                           array_agg(DISTINCT c.supplier_id) AS askers, array_agg(c.id ORDER BY c.id) AS questions
                      FROM amendments a
                      JOIN tenders_clarification c ON c.tender_id = a.tender_id
                       AND c.asked_at >= a.previous_at AND c.asked_at < a.created_at
                     WHERE cardinality(a.fields) > 0
                     GROUP BY a.tender_id, a.amendment_number, a.created_at, a.fields)
                SELECT s.*, t.entity_id,
                       EXISTS (SELECT 1 FROM bidding_bid b WHERE b.tender_id = s.tender_id
                                  AND b.supplier_id = s.askers[1] AND b.status <> 'withdrawn') AS asker_bid
                  FROM asked s JOIN tenders_tender t ON t.id = s.tender_id
                 WHERE cardinality(s.askers) <= %(max_askers)s""",
            {"tenders": tender_ids, "max_askers": max_askers},
        )
        return [
            self.tender_finding(
                row["tender_id"],
                row["entity_id"],
                occurred_at=row["created_at"],
                key_suffix=f":{row['amendment_number']}",
                supplier_ids=list(row["askers"]),
                value=len(row["askers"]),
                threshold=max_askers,
                evidence={
                    "amendment_number": row["amendment_number"],
                    "changed_fields": list(row["fields"]),
                    "questions": list(row["questions"]),
                    "askers": list(row["askers"]),
                    "asker_bid": row["asker_bid"],
                    "max_askers": max_askers,
                },
            )
            for row in found
        ]


RULE = SpecChangeAfterQuestion()

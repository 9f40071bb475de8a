"""Short submission period: the time from publication to the submission deadline is below the legal
minimum for the method and category, or below `min_share` × that minimum.

Value: the period in days; threshold: minimum × min_share in days. Flagged when value < threshold.
"""

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import timezone

from ..models import Stage
from . import Finding, Indicator, rows, tender_filter

DAY = Decimal(86400)


def _days(delta: timedelta) -> Decimal:
    return (Decimal(delta.total_seconds()) / DAY).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class ShortPeriod(Indicator):
    id = "short_period"
    stage = Stage.DRAFTING
    title_ko = "짧은 입찰 기간"
    title_en = "Short submission period"
    rationale_ko = (
        "공고부터 입찰 마감까지의 기간이 법정 최소 기간(또는 그 일정 배수)보다 짧으면 미리 알고 준비한 업체만 "
        "입찰할 수 있어 경쟁이 줄어듭니다. 긴급 구매 등 정당한 사유가 있을 수 있으므로 사유를 확인하십시오."
    )
    rationale_en = (
        "A period from notice to deadline below the legal minimum (or close to it) leaves time only for suppliers "
        "who knew in advance, which narrows competition. Urgent needs can justify it: check the reason given."
    )
    explanation_ko = "이 공고는 입찰 준비 기간이 법정 최소 기간에 비해 짧았습니다."
    explanation_en = "Suppliers had less time to prepare bids for this tender than the rules expect."
    inputs = ("tenders.Tender.published_at", "tenders.Tender.submission_deadline", "settings.MIN_TENDER_PERIOD_DAYS")

    def legal_minimum_days(self, method: str, category: str) -> int:
        return settings.MIN_TENDER_PERIOD_DAYS.get(method, {}).get(category, 0)

    def check(self, *, method: str, category: str, start: datetime, deadline: datetime | None) -> dict | None:
        """The warning for one tender (a draft: start is now), or None."""
        minimum = self.legal_minimum_days(method, category)
        if deadline is None or not minimum:
            return None
        period = _days(deadline - start)
        threshold = (minimum * self.param("min_share")).quantize(Decimal("0.01"))
        if period >= threshold:
            return None
        return {
            "value": period,
            "threshold": threshold,
            "evidence": {
                "period_days": str(period),
                "legal_minimum_days": minimum,
                "min_share": str(self.param("min_share")),
                "below_legal_minimum": period < minimum,
                "method": method,
                "category": category,
                "start": start.isoformat(),
                "deadline": deadline.isoformat(),
            },
        }

    def check_draft(self, tender) -> dict | None:
        return self.check(
            method=tender.method, category=tender.category, start=timezone.now(), deadline=tender.submission_deadline
        )

    def find(self, *, tender_ids=None) -> list[Finding]:
        found = []
        candidates = rows(
            f"""SELECT t.id, t.entity_id, t.method, t.category, t.published_at, t.submission_deadline
                  FROM tenders_tender t
                 WHERE t.published_at IS NOT NULL AND t.submission_deadline IS NOT NULL
                   AND t.status NOT IN ('draft', 'pending_approval')
                   AND t.submission_deadline - t.published_at
                       < make_interval(days => %(longest)s)
                   AND {tender_filter("t.id")}""",
            {"tenders": tender_ids, "longest": self._longest_threshold_days()},
        )
        for row in candidates:
            result = self.check(
                method=row["method"],
                category=row["category"],
                start=row["published_at"],
                deadline=row["submission_deadline"],
            )
            if result:
                found.append(
                    self.tender_finding(
                        row["id"],
                        row["entity_id"],
                        occurred_at=row["published_at"],
                        **result,
                    )
                )
        return found

    def _longest_threshold_days(self) -> int:
        """A cheap SQL pre-filter: no tender with a longer period can be flagged."""
        longest = max((d for by_cat in settings.MIN_TENDER_PERIOD_DAYS.values() for d in by_cat.values()), default=0)
        return int(longest * self.param("min_share")) + 1


RULE = ShortPeriod()

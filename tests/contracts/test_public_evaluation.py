"""After the award the review's reasons and each committee member's scores per criterion are public
(HTML and API), with members as A, B, C; before the award nobody outside sees them."""

import pytest
from django.test import Client

from contracts import services
from contracts.models import Assessment

from .test_best_value import best_value_tender, bid_of, committee, score

pytestmark = pytest.mark.django_db


def test_the_committees_scores_and_the_reasons_are_public_once_the_award_is(official, evaluator, second_evaluator):
    tender, (a, b, c) = best_value_tender(official, ["100000000", "90000000", "80000000"])
    evaluation = services.evaluation_start(tender=tender, actor=official)
    one, two = committee(tender, official, evaluator, second_evaluator)
    ids = {name: bid_of(tender, user) for name, user in (("a", a), ("b", b), ("c", c))}
    score(one, {ids["a"]: (50, 35), ids["b"]: (45, 30), ids["c"]: (30, 30)})
    score(two, {ids["a"]: (55, 35), ids["b"]: (40, 30), ids["c"]: (40, 25)})
    services.evaluation_calculate(evaluation=evaluation, actor=official)
    services.assessment_review(
        assessment=Assessment.objects.get(bid_id=ids["a"]), actor=official, passed=False, reason="실적증명 누락"
    )
    services.assessment_review(assessment=Assessment.objects.get(bid_id=ids["b"]), actor=official, passed=True)
    services.evaluation_complete(evaluation=evaluation, actor=official)
    anonymous = Client()
    award = services.award_propose(tender=tender, actor=official)
    assert award.status == "standstill"

    api = anonymous.get(f"/api/v1/awards/{award.pk}/").json()
    rows = {row["bid"]: row for row in api["evaluation"]}
    assert rows[ids["a"]]["decision"] == "failed"
    assert rows[ids["a"]]["reason"] == "실적증명 누락"
    assert "62.5" in rows[ids["c"]]["set_aside_reason"]
    first = {(s["member"], s["criterion"]): s["value"] for s in rows[ids["a"]]["scores"]}
    assert first == {("A", 0): "50.00", ("A", 1): "35.00", ("B", 0): "55.00", ("B", 1): "35.00"}
    page = anonymous.get(f"/awards/{award.pk}/").content.decode()
    assert "실적증명 누락" in page
    assert "Committee scores" in page
    text = str(api) + page
    for member in (evaluator, second_evaluator):
        assert member.email not in text
        assert (member.full_name or member.email) not in text
    # The award report is not public before the award is final.
    assert anonymous.get(f"/reports/tenders/{tender.pk}/award-report.pdf").status_code == 404

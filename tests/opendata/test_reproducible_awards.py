"""Every demo award recomputed from the public API alone.

The demo has one award per evaluation method (lowest price, floor rate with multiple reserve prices,
best value with a committee). An anonymous client downloads the OCDS records; then, with no database
access at all, the rules published in `tender.evaluationRules` are applied to the published bids,
reserve prices and committee scores, and must give the published planned and floor prices, opening
outcomes, scores, review order and winner. The award's supplier and value must be the winner's.
"""

import io
import re
from collections import Counter
from datetime import datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

FOUR = Decimal("0.0001")


def dec(number) -> Decimal:
    return Decimal(str(number))


def q4(value: Decimal) -> Decimal:
    return value.quantize(FOUR, rounding=ROUND_HALF_UP)


def price(bid: dict) -> Decimal:
    return dec(bid["value"]["amount"])


def submission_order(bid: dict):
    return (datetime.fromisoformat(bid["date"]), int(bid["id"]))


def check_reserve_prices(tender: dict, bids: list[dict], rules: dict) -> tuple[Decimal, Decimal]:
    """Planned price = the most-picked reserve prices averaged, rounded down; floor = rate × planned, up."""
    reserve = tender["reservePrices"]
    values = {int(v["id"]): dec(v["value"]["amount"]) for v in reserve["values"]}
    counts = Counter(n for bid in bids if bid["commitmentVerified"] for n in bid.get("reservePicks", []))
    assert {int(v["id"]): v["picks"] for v in reserve["values"]} == {n: counts.get(n, 0) for n in values}
    assert rules["reservePickTieBreak"] == "lowerNumberFirst"
    chosen = sorted(values, key=lambda n: (-counts.get(n, 0), n))[: rules["picksAveraged"]]
    assert {int(v["id"]) for v in reserve["values"] if v["chosen"]} == set(chosen)
    planned = (sum(values[n] for n in chosen) / len(chosen)).to_integral_value(rounding=ROUND_FLOOR)
    floor = (planned * dec(rules["floorRate"]) / 100).to_integral_value(rounding=ROUND_CEILING)
    assert dec(reserve["plannedPrice"]["amount"]) == planned
    assert dec(reserve["floorPrice"]["amount"]) == floor
    return planned, floor


def best_value_order(bids: list[dict], rules: dict) -> list[dict]:
    maximum = sum(dec(c["maxScore"]) for c in rules["technicalCriteria"])
    threshold = maximum * dec(rules["technicalThresholdPercent"]) / 100
    figures = {}
    for bid in bids:
        per_member: dict[str, Decimal] = {}
        for score in bid["evaluation"].get("committeeScores", []):
            per_member[score["member"]] = per_member.get(score["member"], Decimal(0)) + dec(score["value"])
        points = q4(sum(per_member.values(), Decimal(0)) / len(per_member)) if per_member else Decimal(0)
        figures[bid["id"]] = {
            "points": points,
            "technical": q4(dec(rules["technicalWeight"]) * points / maximum),
            "qualified": points >= threshold,
        }
    lowest = min(price(b) for b in bids if figures[b["id"]]["qualified"])
    for bid in bids:
        mine = figures[bid["id"]]
        evaluation = bid["evaluation"]
        assert dec(evaluation["technicalPoints"]) == mine["points"]
        assert dec(evaluation["technicalScore"]) == mine["technical"]
        if not mine["qualified"]:
            assert evaluation["admissible"] is False
            continue
        mine["price"] = q4(dec(rules["priceWeight"]) * lowest / price(bid))
        mine["total"] = mine["technical"] + mine["price"]
        assert dec(evaluation["priceScore"]) == mine["price"]
        assert dec(evaluation["totalScore"]) == mine["total"]
    qualified = [b for b in bids if figures[b["id"]]["qualified"]]
    return sorted(qualified, key=lambda b: (-figures[b["id"]]["total"], price(b), *submission_order(b)))


def is_second_stage(compiled: dict) -> bool:
    """A catalogue second-stage competition: a process related to its framework's (relationship framework)."""
    return any("framework" in p.get("relationship", []) for p in compiled.get("relatedProcesses", []))


def recompute_winner(compiled: dict) -> dict:
    """The winning bid, from the compiled release alone; checks every published figure on the way."""
    tender, rules = compiled["tender"], compiled["tender"]["evaluationRules"]
    bids = [b for b in compiled["bids"]["details"] if "value" in b]
    verified = [b for b in bids if b["commitmentVerified"]]
    if rules["method"] == "bestValue":
        ranked = [b for b in verified if b["openingOutcome"] == "ranked"]
        order = best_value_order(ranked, rules)
    else:
        admissible = [b for b in verified if b["openingOutcome"] == "ranked"]
        if rules["method"] == "floorRateReserve":
            planned, floor = check_reserve_prices(tender, bids, rules)
            for bid in verified:
                expected = "belowFloor" if price(bid) < floor else "abovePlanned" if price(bid) > planned else "ranked"
                assert bid["openingOutcome"] == expected
        assert rules["tieBreak"] == ["earlierSubmission", "lowerBidId"]
        order = sorted(admissible, key=lambda b: (price(b), *submission_order(b)))
    # The review goes down the order: the first bid that passes wins; every one before it failed, with a reason.
    assert [b["evaluation"]["rank"] for b in order] == list(range(1, len(order) + 1))
    for bid in order:
        if bid["evaluation"]["decision"] == "passed":
            return bid
        assert bid["evaluation"]["decision"] == "failed"
        assert bid["evaluation"]["reason"]
    raise AssertionError("no bid passed the review")


def test_every_demo_award_is_recomputed_from_the_public_api_alone(django_assert_num_queries):
    call_command("load_demo", stdout=io.StringIO())
    anonymous = Client()
    records, url = [], "/api/v1/ocds/records/"
    while url:
        response = anonymous.get(url)
        assert response.status_code == 200
        records += response.json()["records"]
        following = re.search(r'<([^>]+)>; rel="next"', response.headers.get("Link", ""))
        url = urlsplit(following.group(1))._replace(scheme="", netloc="").geturl() if following else None
    awarded = [r["compiledRelease"] for r in records if r["compiledRelease"].get("awards")]

    with django_assert_num_queries(0):
        methods, competitions = set(), 0
        for compiled in awarded:
            current = [a for a in compiled["awards"] if a["status"] in ("pending", "active")]
            # A framework competition also publishes each agreement it concluded as an award of its own
            # (opendata/frameworks.py); each goes to a tenderer of the process.
            agreements = [a for a in current if "agreementStatus" in a]
            tenderers = [party for bid in compiled["bids"]["details"] for party in bid["tenderers"]]
            assert all(a["suppliers"][0] in tenderers for a in agreements)
            assert bool(agreements) == compiled["tender"].get("techniques", {}).get("hasFrameworkAgreement", False)
            [award] = [a for a in current if a not in agreements]
            if is_second_stage(compiled):
                # A catalogue second-stage competition (2단계경쟁): the lowest valid offer wins (its order
                # is the award; the value is the order's, at the offered prices), no evaluation stage.
                assert compiled["relatedProcesses"][0]["relationship"] == ["framework"]
                valid = [b for b in compiled["bids"]["details"] if b.get("openingOutcome") == "ranked"]
                lowest = min(valid, key=lambda b: (price(b), *submission_order(b)))
                assert award["suppliers"] == lowest["tenderers"]
                assert dec(award["value"]["amount"]) <= price(lowest)
                competitions += 1
                continue
            winner = recompute_winner(compiled)
            assert award["suppliers"] == winner["tenderers"]
            assert award["value"] == winner["value"]
            methods.add(compiled["tender"]["evaluationRules"]["method"])

    assert methods == {"lowestPrice", "floorRateReserve", "bestValue"}
    # Every tender with a public award (the catalogue's framework tenders included), none left out.
    from catalogue.models import MiniCompetition
    from contracts.models import Award

    public = Award.objects.filter(status__in=Award.PUBLIC_STATUSES).values("tender").distinct().count()
    assert competitions == MiniCompetition.objects.filter(status="awarded").count() >= 1
    assert len(awarded) == public + competitions >= 5

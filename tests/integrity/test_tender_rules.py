"""Tender-level rules at, just above and just below their thresholds (hand-made cases)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.utils import timezone

from integrity import services
from integrity.indicators import rule_get
from integrity.models import BidOrigin, Flag
from tenders.models import Clarification, TenderVersion

from .conftest import flags_on, run
from .market import audited_save

# --- short submission period (open goods: 7 legal days × 1.2 = 8.4 days) ---------------------------


def _period(days: float):
    start = timezone.now()
    return rule_get("short_period").check(
        method="open", category="goods", start=start, deadline=start + timedelta(days=days)
    )


def test_a_period_exactly_at_the_threshold_is_not_flagged(db):
    assert _period(8.4) is None


def test_a_period_just_below_the_threshold_is_flagged_but_legal(db):
    result = _period(8.39)
    assert result["value"] == Decimal("8.39")
    assert result["threshold"] == Decimal("8.40")
    assert result["evidence"]["below_legal_minimum"] is False


def test_a_period_above_the_threshold_is_not_flagged(db):
    assert _period(8.5) is None


def test_a_published_tender_with_a_three_day_period_is_flagged_below_the_legal_minimum(market):
    tender = market.tender()
    tender.submission_deadline = tender.published_at + timedelta(days=3)
    audited_save(tender)
    fair = market.tender()  # the factory's 10 days
    run("short_period")
    [flag] = flags_on("short_period", tender)
    assert flag.evidence["below_legal_minimum"] is True
    assert flag.value == Decimal("3.00")
    assert not flags_on("short_period", fair)


def test_the_threshold_share_comes_from_settings(market, thresholds):
    thresholds("short_period", min_share="1.5")
    tender = market.tender()  # 10 days < 7 × 1.5
    assert flags_on("short_period", tender) == []
    assert run("short_period")
    assert flags_on("short_period", tender)


# --- single bid ------------------------------------------------------------------------------------


def test_one_bid_is_flagged_two_are_not_and_none_is_not(market):
    a, b = market.suppliers(2)
    single = market.opened([(a, 90_000_000)])
    double = market.opened([(a, 90_000_000), (b, 95_000_000)])
    empty = market.opened([])
    run("single_bid")
    [flag] = flags_on("single_bid", single)
    assert flag.value == 1
    assert list(flag.suppliers.all()) == [a]
    assert not flags_on("single_bid", double)
    assert not flags_on("single_bid", empty)


def test_with_max_bids_two_two_bids_are_flagged_and_three_are_not(market, thresholds):
    thresholds("single_bid", max_bids=2)
    a, b, c = market.suppliers(3)
    two = market.opened([(a, 90_000_000), (b, 95_000_000)])
    three = market.opened([(a, 90_000_000), (b, 95_000_000), (c, 96_000_000)])
    run("single_bid")
    assert flags_on("single_bid", two)
    assert not flags_on("single_bid", three)


# --- winner and runner-up within 0.5 % -------------------------------------------------------------


@pytest.mark.parametrize(
    ("second", "flagged"),
    [(100_500_000, True), (100_510_000, False), (100_490_000, True), (100_000_000, False)],
    ids=["at", "just-above", "just-below", "identical-is-another-rule"],
)
def test_runner_up_gap(market, second, flagged):
    a, b, c = market.suppliers(3)
    tender = market.opened([(a, 100_000_000), (b, second), (c, 120_000_000)])
    run("close_runner_up")
    flags = flags_on("close_runner_up", tender)
    assert bool(flags) is flagged
    if flagged:
        assert flags[0].evidence["lowest"]["supplier"] == a.pk
        assert flags[0].value <= Decimal("0.5")


def test_bids_set_aside_at_opening_are_not_the_runner_up(market):
    a, b, c = market.suppliers(3)
    tender = market.opened([(a, 100_000_000), (b, 100_100_000, "below_floor", "disqualified"), (c, 110_000_000)])
    run("close_runner_up")
    assert not flags_on("close_runner_up", tender)


# --- identical prices ------------------------------------------------------------------------------


def test_two_identical_prices_are_flagged_with_the_companies(market):
    a, b, c = market.suppliers(3)
    tender = market.opened([(a, 97_000_000), (b, 97_000_000), (c, 99_000_000)])
    distinct = market.opened([(a, 97_000_000), (b, 97_000_001)])
    run("identical_prices")
    [flag] = flags_on("identical_prices", tender)
    assert flag.evidence["groups"] == [{"price": "97000000.00", "suppliers": sorted([a.pk, b.pk])}]
    assert set(flag.suppliers.all()) == {a, b}
    assert not flags_on("identical_prices", distinct)


def test_with_min_bids_three_a_pair_is_not_flagged_and_a_trio_is(market, thresholds):
    thresholds("identical_prices", min_bids=3)
    a, b, c = market.suppliers(3)
    pair = market.opened([(a, 97_000_000), (b, 97_000_000), (c, 99_000_000)])
    trio = market.opened([(a, 97_000_000), (b, 97_000_000), (c, 97_000_000)])
    run("identical_prices")
    assert not flags_on("identical_prices", pair)
    assert flags_on("identical_prices", trio)[0].value == 3


# --- same network address / same browser -----------------------------------------------------------


def _origin(tender, supplier, *, ip="203.0.113.7", fingerprint=None, agent="Mozilla/5.0 Chrome/130", **headers):
    headers = {"REMOTE_ADDR": ip, "HTTP_USER_AGENT": agent, **headers}
    if fingerprint:
        headers["HTTP_X_CLIENT_FINGERPRINT"] = fingerprint
    request = RequestFactory().post("/bids/", **headers)
    version = tender.bids.get(supplier=supplier).current_version or tender.bids.get(supplier=supplier).versions.get()
    services.bid_origin_record(request=request, version=version)


def test_two_companies_bidding_from_one_address_are_flagged_without_storing_the_address(market):
    a, b, c = market.suppliers(3)
    tender = market.opened([(a, 90_000_000), (b, 91_000_000), (c, 92_000_000)])
    _origin(tender, a, ip="203.0.113.7")
    _origin(tender, b, ip="203.0.113.7")
    _origin(tender, c, ip="198.51.100.9")
    run("same_network")
    [flag] = flags_on("same_network", tender)
    assert flag.value == 2
    assert set(flag.suppliers.all()) == {a, b}
    stored = str(list(BidOrigin.objects.values_list())) + str(flag.evidence)
    assert "203.0.113.7" not in stored
    assert "198.51.100.9" not in stored


def test_with_min_bids_three_two_companies_on_one_address_are_not_flagged(market, thresholds):
    thresholds("same_network", min_bids=3)
    a, b = market.suppliers(2)
    tender = market.opened([(a, 90_000_000), (b, 91_000_000)])
    _origin(tender, a)
    _origin(tender, b)
    assert run("same_network") == []


def test_ipv6_addresses_of_one_network_count_as_one(market):
    a, b = market.suppliers(2)
    tender = market.opened([(a, 90_000_000), (b, 91_000_000)])
    _origin(tender, a, ip="2001:db8:1:2::10")
    _origin(tender, b, ip="2001:db8:1:2::99")
    assert len(run("same_network")) == 1


def test_behind_the_proxy_bidders_are_told_apart_by_the_address_the_portal_uses_everywhere(market, settings):
    settings.TRUSTED_PROXY_COUNT = 1  # the one setting the login limits and API throttles read too
    a, b, c = market.suppliers(3)
    tender = market.opened([(a, 90_000_000), (b, 91_000_000), (c, 92_000_000)])
    proxy = "10.0.0.2"  # every request arrives from the TLS proxy
    _origin(tender, a, ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7")
    _origin(tender, b, ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7")  # a forged left entry
    _origin(tender, c, ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.9")
    run("same_network")
    [flag] = flags_on("same_network", tender)
    assert set(flag.suppliers.all()) == {a, b}


def test_the_same_browser_fingerprint_is_flagged_but_a_common_user_agent_alone_is_not(market):
    a, b, c, d = market.suppliers(4)
    shared = market.opened([(a, 90_000_000), (b, 91_000_000)])
    _origin(shared, a, ip="198.51.100.1", fingerprint="canvas:abc|tz:Asia/Seoul")
    _origin(shared, b, ip="198.51.100.2", fingerprint="canvas:abc|tz:Asia/Seoul")
    strangers = market.opened([(c, 90_000_000), (d, 91_000_000)])
    _origin(strangers, c, ip="198.51.100.3")
    _origin(strangers, d, ip="198.51.100.4")
    run("same_browser")
    assert flags_on("same_browser", shared)
    assert not flags_on("same_browser", strangers)


def test_bids_of_a_tender_not_yet_opened_are_never_flagged(market):
    a, b = market.suppliers(2)
    tender = market.opened([(a, 90_000_000), (b, 91_000_000)])
    _origin(tender, a)
    _origin(tender, b)
    tender.opening_record.opened_bids.all().delete()
    tender.opening_record.delete()
    assert run("same_network") == []


# --- specification changed after one supplier's questions ------------------------------------------


def _amended_after_questions(market, askers, *, change="description"):
    tender = market.tender()
    start = timezone.now() - timedelta(days=5)
    snapshot = {"description": "<p>v0</p>", "eligibility": "", "submission_deadline": "2099-01-01"}
    TenderVersion.objects.create(tender=tender, amendment_number=0, snapshot=snapshot, created_by=market.user,
                                 created_at=start)  # fmt: skip
    for n, supplier in enumerate(askers):
        Clarification.objects.create(
            tender=tender, question="Can you accept brand X?", asked_by=market.user, supplier=supplier,
            asked_at=start + timedelta(hours=n + 1),
        )  # fmt: skip
    changed = {**snapshot, change: "changed"}
    TenderVersion.objects.create(tender=tender, amendment_number=1, snapshot=changed, created_by=market.user,
                                 created_at=start + timedelta(days=1))  # fmt: skip
    return market.opened([(askers[0] if askers else market.supplier(), 90_000_000)], tender=tender)


def test_a_specification_changed_after_one_companys_questions_is_flagged(market):
    asker = market.supplier()
    tender = _amended_after_questions(market, [asker, asker])
    run("spec_change_after_question")
    [flag] = flags_on("spec_change_after_question", tender)
    assert flag.evidence["changed_fields"] == ["description"]
    assert flag.evidence["askers"] == [asker.pk]
    assert flag.evidence["asker_bid"] is True


def test_questions_from_two_companies_are_not_flagged(market):
    tender = _amended_after_questions(market, market.suppliers(2))
    run("spec_change_after_question")
    assert not flags_on("spec_change_after_question", tender)


def test_an_amendment_that_only_moves_the_deadline_is_not_flagged(market):
    tender = _amended_after_questions(market, [market.supplier()], change="submission_deadline")
    run("spec_change_after_question")
    assert not flags_on("spec_change_after_question", tender)


# --- lowest bid disqualified / all but the winner disqualified --------------------------------------


def test_a_cheaper_bid_disqualified_before_a_dearer_award_is_flagged(market):
    a, b, c = market.suppliers(3)
    tender = market.won([(a, 90_000_000, "ranked", "disqualified"), (b, 95_000_000), (c, 99_000_000)], b)
    clean = market.won([(a, 90_000_000), (b, 95_000_000)], a)
    run("lowest_disqualified")
    [flag] = flags_on("lowest_disqualified", tender)
    assert flag.value == 1
    assert flag.evidence["extra_cost_pct"] == "5.56"
    assert not flags_on("lowest_disqualified", clean)


def test_with_min_two_one_disqualified_lower_bid_is_not_flagged_and_two_are(market, thresholds):
    thresholds("lowest_disqualified", min_lower_disqualified=2)
    a, b, c = market.suppliers(3)
    one = market.won([(a, 90_000_000, "ranked", "disqualified"), (b, 95_000_000)], b)
    two = market.won(
        [(a, 90_000_000, "ranked", "disqualified"), (c, 91_000_000, "ranked", "disqualified"), (b, 95_000_000)], b
    )
    run("lowest_disqualified")
    assert not flags_on("lowest_disqualified", one)
    assert flags_on("lowest_disqualified", two)


def test_a_bid_below_the_floor_set_aside_at_opening_is_not_a_disqualification(market):
    a, b = market.suppliers(2)
    tender = market.won([(a, 80_000_000, "below_floor", "disqualified"), (b, 95_000_000)], b)
    run("lowest_disqualified")
    run("all_but_winner_disqualified")
    assert not flags_on("lowest_disqualified", tender)
    assert not flags_on("all_but_winner_disqualified", tender)


def test_every_other_bid_disqualified_is_flagged_but_one_survivor_is_enough(market):
    a, b, c = market.suppliers(3)
    flagged = market.won(
        [(a, 90_000_000, "ranked", "disqualified"), (b, 95_000_000), (c, 99_000_000, "ranked", "disqualified")], b
    )
    survivor = market.won([(a, 90_000_000, "ranked", "disqualified"), (b, 95_000_000), (c, 99_000_000)], b)
    run("all_but_winner_disqualified")
    [flag] = flags_on("all_but_winner_disqualified", flagged)
    assert flag.value == 2
    assert not flags_on("all_but_winner_disqualified", survivor)


def test_with_min_two_a_single_other_disqualified_bid_is_not_flagged(market, thresholds):
    thresholds("all_but_winner_disqualified", min_disqualified=2)
    a, b = market.suppliers(2)
    tender = market.won([(a, 90_000_000, "ranked", "disqualified"), (b, 95_000_000)], b)
    assert run("all_but_winner_disqualified") == []
    assert not flags_on("all_but_winner_disqualified", tender)


# --- cancelled and re-tendered with the same winner --------------------------------------------------


@pytest.mark.parametrize(("gap_days", "flagged"), [(180, True), (181, False), (179, True)])
def test_retender_won_by_a_bidder_of_the_cancelled_original(market, gap_days, flagged):
    a, b = market.suppliers(2)
    original = market.opened([(a, 90_000_000), (b, 95_000_000)])
    original.status = "cancelled"
    original.status_changed_at = timezone.now() - timedelta(days=200)
    audited_save(original)
    retender = market.tender(retendered_from=original)
    retender.published_at = original.status_changed_at + timedelta(days=gap_days)
    audited_save(retender)
    market.won([(b, 96_000_000)], b, tender=retender)
    run("retender_same_winner")
    flags = flags_on("retender_same_winner", retender)
    assert bool(flags) is flagged
    if flagged:
        assert flags[0].evidence["winner_rank_in_original"] is None  # the market helper does not rank
        assert flags[0].evidence["original_tender"] == original.pk


def test_a_retender_won_by_a_newcomer_is_not_flagged(market):
    a, b, newcomer = market.suppliers(3)
    original = market.opened([(a, 90_000_000), (b, 95_000_000)])
    original.status = "cancelled"
    audited_save(original)
    retender = market.tender(retendered_from=original)
    market.won([(newcomer, 96_000_000), (b, 97_000_000)], newcomer, tender=retender)
    assert run("retender_same_winner") == []


# --- storage ----------------------------------------------------------------------------------------


def test_running_a_rule_twice_keeps_one_flag_and_its_review(market, auditor):
    a, b = market.suppliers(2)
    tender = market.opened([(a, 97_000_000), (b, 97_000_000)])
    [flag] = run("identical_prices")
    services.flag_review(flag=flag, actor=auditor, outcome=Flag.Review.MONITORING, note="Asked the entity.")
    [again] = run("identical_prices")
    assert again.pk == flag.pk
    assert again.review == Flag.Review.MONITORING
    assert Flag.objects.filter(tenders=tender).count() == 1


def test_a_flag_whose_condition_is_gone_is_cleared_not_deleted(market):
    a, b = market.suppliers(2)
    tender = market.opened([(a, 97_000_000), (b, 97_000_000)])
    [flag] = run("identical_prices")
    tender.bids.get(supplier=b).opened.__class__.objects.filter(bid__supplier=b, bid__tender=tender).update(
        price=98_000_000
    )
    assert run("identical_prices") == []
    flag.refresh_from_db()
    assert flag.cleared_at is not None

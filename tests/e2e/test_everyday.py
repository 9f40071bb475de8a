"""Everyday use, as a Korean or English-speaking user meets it: the plain-words and wrong-page fixes.

Each test names the item of the usability review it covers. People sign in through a session made
on the server (`sign_in`), so the same test runs in either language without the login form.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from bidding import services as bidding_services
from contracts import services as contract_services
from procurement.roles import Role
from tenders import services as tender_services
from tests import sealing
from tests.bidding.helpers import bidder, published_tender, set_times, submit
from tests.contracts.test_contracts import final_award, terms
from tests.factories import OfficialFactory, SanctionFactory, SupplierMemberFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["ko", "en"]


@pytest.fixture(autouse=True)
def _demo_mfa(settings):
    settings.MFA_DEMO_RELAX = True  # sessions made by force_login carry no MFA step


def use_language(page, live_server, code: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": code, "url": live_server.url}])


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def official_user():
    return OfficialFactory(user__email="olivia@agency.example").user


# --- 2. the contract period is not a "sanction period" ---------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_contract_page_labels_the_contract_period_not_a_sanction_period(page, live_server, language):
    official = official_user()
    award, _users = final_award(official)
    contract = contract_services.contract_create(award=award, actor=official, terms=terms())
    use_language(page, live_server, language)
    sign_in(page, live_server, official)

    for url in (contract.get_absolute_url(), "/contracts/"):
        page.goto(url)
        expect(page.locator("main")).not_to_contain_text("제재 기간")
        expect(page.locator("main")).not_to_contain_text("Sanction")
    if language == "en":
        expect(page.locator("main")).to_contain_text("Contract period")


# --- 3. no link to a missing page for an unsuccessful tender ---------------------------------------


def _unsuccessful_without_bids(official):
    tender = published_tender(entity=official.official.entity, created_by=official)
    set_times(tender, deadline=-2, opening=3600)
    bidding_services.bid_close_tender(tender_id=tender.pk)
    tender.refresh_from_db()
    return tender_services.tender_mark_unsuccessful(tender=tender, actor=official, reason="No bids were received.")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_link_in_the_reports_and_evaluation_lists_of_an_unsuccessful_tender_leads_somewhere(
    page, live_server, language
):
    official = official_user()
    auditor = UserFactory(email="audrey@audit.example", role=Role.AUDITOR)
    tender = _unsuccessful_without_bids(official)
    use_language(page, live_server, language)

    for user, list_url in ((auditor, "/reports/"), (auditor, "/evaluations/"), (official, "/evaluations/")):
        page.context.clear_cookies()
        use_language(page, live_server, language)
        sign_in(page, live_server, user)
        page.goto(list_url)
        row = page.locator("tr", has_text=tender.reference)
        expect(row).to_have_count(1)
        hrefs = [a.get_attribute("href") for a in row.locator("a").all()]
        assert hrefs, list_url
        for href in hrefs:
            response = page.request.get(href)
            assert response.status == 200, (list_url, href, response.status)


# --- 4. line breaks in a description are kept, and nothing in it runs ------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_plain_text_description_keeps_its_line_breaks_and_no_markup_runs(page, live_server, language):
    official = official_user()
    draft = tender_services.tender_create(
        actor=official,
        data={
            "title": "2027년 청사 청소 용역",
            "description": (
                "1. 청사 청소\n2. 유리창 청소\n\n<script>window.hacked = 1</script><img src=x onerror=alert(1)>끝"
            ),
            "method": "open",
            "category": "services",
            "estimated_value": Decimal("50000000"),
            "currency": "KRW",
            "evaluation_method": "lowest_price",
            "evaluation_params": {},
            "clarification_deadline": timezone.now() + timedelta(days=5),
            "submission_deadline": timezone.now() + timedelta(days=10),
            "opening_at": timezone.now() + timedelta(days=10, hours=1),
        },
    )
    tender = sealing.publish(tender=draft, actor=official)
    use_language(page, live_server, language)
    page.goto(tender.get_absolute_url())

    description = page.locator(".tenders-description")
    assert description.locator("p").count() == 2
    assert description.locator("br").count() == 1
    assert description.locator("script, img[onerror]").count() == 0
    assert page.evaluate("window.hacked") is None
    expect(description).to_contain_text("2. 유리창 청소")


# --- 5. "Open now" only once the opening time has come ---------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_open_now_is_offered_only_once_the_opening_time_has_passed(page, live_server, language):
    official = official_user()
    tender = published_tender(entity=official.official.entity, created_by=official)
    submit(tender, bidder(), price="90000000")
    set_times(tender, deadline=-2, opening=3600)
    bidding_services.bid_close_tender(tender_id=tender.pk)
    use_language(page, live_server, language)
    sign_in(page, live_server, official)
    open_now = page.locator("form[action$='/open/'] button")

    for url in (tender.get_absolute_url(), f"/bids/tender/{tender.pk}/opening/"):
        page.goto(url)
        expect(open_now).to_have_count(0)
    expect(page.locator(".bidding-opening-at")).to_be_visible()

    set_times(tender, opening=-1)
    for url in (tender.get_absolute_url(), f"/bids/tender/{tender.pk}/opening/"):
        page.goto(url)
        expect(open_now).to_have_count(1)


# --- 6. a signed-in supplier is told the real reason it cannot bid --------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_supplier_whose_bid_was_withdrawn_is_told_so_not_asked_to_log_in(page, live_server, language):
    official = official_user()
    tender = published_tender(entity=official.official.entity, created_by=official)
    supplier = bidder()
    submit(tender, supplier, price="90000000")
    bid = tender.bids.get()
    bidding_services.bid_withdraw(bid=bid, actor=supplier)
    use_language(page, live_server, language)
    sign_in(page, live_server, supplier)
    page.goto(tender.get_absolute_url())

    panel = page.locator(".bidding-panel")
    expect(panel).not_to_contain_text(re.compile("Log in as a supplier|공급자로 로그인"))
    expect(panel.locator("a[href^='/accounts/login/']")).to_have_count(0)
    expect(panel.locator(".portal-alert")).to_be_visible()
    if language == "en":
        expect(panel).to_contain_text("a withdrawn bid cannot be submitted again")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_supplier_of_a_debarred_company_is_told_it_is_debarred(page, live_server, language):
    official = official_user()
    tender = published_tender(entity=official.official.entity, created_by=official)
    member = SupplierMemberFactory(user__email="dan@debarred.example")
    SanctionFactory(supplier=member.supplier)
    use_language(page, live_server, language)
    sign_in(page, live_server, member.user)
    page.goto(tender.get_absolute_url())

    panel = page.locator(".bidding-panel")
    expect(panel.locator("a[href^='/accounts/login/']")).to_have_count(0)
    expect(panel.locator(".portal-alert li")).to_contain_text(re.compile("debarred|제재"))


# --- 7. a cancelled tender has no live countdown ---------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_cancelled_tender_shows_its_deadline_without_a_live_countdown(page, live_server, language):
    official = official_user()
    tender = published_tender(entity=official.official.entity, created_by=official)
    live = published_tender(entity=official.official.entity, created_by=official)
    tender_services.tender_cancel(tender=tender, actor=official, reason="Budget withdrawn.")
    use_language(page, live_server, language)

    page.goto(live.get_absolute_url())
    expect(page.locator(".portal-countdown")).to_have_count(1)
    page.goto(tender.get_absolute_url())
    expect(page.locator(".portal-deadline")).to_have_count(1)
    expect(page.locator(".portal-countdown")).to_have_count(0)
    page.goto("/tenders/?status=cancelled")
    expect(page.locator(".portal-countdown")).to_have_count(0)


# --- 9. plain words: amounts as money, dates in one format with the zone, our own 404 --------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_amendment_diff_shows_amounts_as_money(page, live_server, language):
    official = official_user()
    draft = tender_services.tender_create(
        actor=official,
        data={
            "title": "2027년 서버 구매",
            "description": "서버 10대",
            "method": "open",
            "category": "goods",
            "estimated_value": Decimal("250000000.00"),
            "currency": "KRW",
            "evaluation_method": "lowest_price",
            "evaluation_params": {},
            "clarification_deadline": timezone.now() + timedelta(days=5),
            "submission_deadline": timezone.now() + timedelta(days=10),
            "opening_at": timezone.now() + timedelta(days=10, hours=1),
        },
    )
    tender = sealing.publish(tender=draft, actor=official)
    tender_services.tender_amend(
        tender=tender, actor=official, reason="예산 증액", data={"estimated_value": Decimal("260000000")}
    )
    use_language(page, live_server, language)
    page.goto(f"/tenders/{tender.pk}/versions/")

    row = page.locator("tr[data-field='estimated_value']")
    expect(row.locator("del")).to_have_text("250,000,000")
    expect(row.locator("ins")).to_have_text("260,000,000")


@pytest.mark.parametrize("language", LANGUAGES)
def test_times_on_a_tender_page_share_one_format_that_names_the_zone(page, live_server, language):
    official = official_user()
    tender = published_tender(entity=official.official.entity, created_by=official)
    use_language(page, live_server, language)
    page.goto(tender.get_absolute_url())

    texts = page.locator(".tenders-timeline dd").all_inner_texts()
    assert len(texts) >= 3
    for text in texts:
        assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} KST", text), text


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_unknown_address_shows_the_portals_own_page_even_with_debug(page, live_server, settings, language):
    settings.DEBUG = True
    use_language(page, live_server, language)
    response = page.goto("/no-such-page/")

    assert response.status == 404
    expect(page.locator(".portal-error-page")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("URLconf")
    expect(page.locator("html")).to_have_attribute("lang", language)


# --- 10. forms: every error at once, no silent truncation, prompts, dialogs, language switch -------


def _new_tender_page(page, live_server, language):
    official = official_user()
    use_language(page, live_server, language)
    sign_in(page, live_server, official)
    page.goto("/tenders/new/")
    return official


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_pasted_title_over_the_limit_is_refused_with_the_limit_and_every_error_shows_at_once(
    page, live_server, language
):
    _new_tender_page(page, live_server, language)
    title = page.locator("input[name=title]")
    long_title = "가" * 320
    title.fill(long_title)

    assert title.input_value() == long_title  # not cut at 300 by the browser
    expect(page.locator(".portal-length.is-over")).to_contain_text("300")
    page.locator("main form button[type=submit]").first.click()

    # One answer from the server: the title's limit and the other missing fields together.
    expect(page.locator("input[name=title]")).to_have_value(long_title)
    expect(page.locator(".portal-field.is-invalid").first).to_be_visible()
    expect(page.locator(".portal-field.is-invalid", has=page.locator("input[name=title]"))).to_contain_text("300")
    assert page.locator(".portal-field.is-invalid").count() >= 2


@pytest.mark.parametrize("language", LANGUAGES)
def test_filters_offer_a_meaningful_first_choice_not_dashes(page, live_server, language):
    use_language(page, live_server, language)
    for url in ("/tenders/", "/suppliers/directory/"):
        page.goto(url)
        options = page.locator("main select option").all_inner_texts()
        assert options
        assert not [o for o in options if "---" in o], (url, options)


@pytest.mark.parametrize("language", LANGUAGES)
def test_opening_asks_in_a_dialog_of_the_portal_not_the_browsers_confirm(page, live_server, language):
    from bidding.models import OpeningRecord
    from tests.e2e.conftest import CONFIRM_DIALOG

    page.remove_locator_handler(page.locator(CONFIRM_DIALOG))
    official = official_user()
    tender = published_tender(entity=official.official.entity, created_by=official)
    submit(tender, bidder(), price="90000000")
    set_times(tender, deadline=-2, opening=-1)
    bidding_services.bid_close_tender(tender_id=tender.pk)
    native = []
    page.on("dialog", lambda dialog: (native.append(dialog.message), dialog.dismiss()))
    use_language(page, live_server, language)
    sign_in(page, live_server, official)
    page.goto(f"/bids/tender/{tender.pk}/opening/")

    page.locator("form[action$='/open/'] button").first.click()
    dialog = page.locator(CONFIRM_DIALOG)
    expect(dialog).to_be_visible()
    dialog.locator("button.secondary").click()  # cancel
    expect(dialog).to_have_count(0)
    assert not OpeningRecord.objects.filter(tender=tender).exists()

    page.locator("form[action$='/open/'] button").first.click()
    # Confirming sends the form (what opening then needs, custodians' shares, is not this test's concern).
    with page.expect_request(lambda request: request.method == "POST" and request.url.endswith("/open/")):
        page.locator(CONFIRM_DIALOG).locator("button.primary").click()
    assert native == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_switching_language_keeps_what_was_typed_in_a_form(page, live_server, language):
    _new_tender_page(page, live_server, language)
    page.locator("input[name=title]").fill("2027년 청사 조경 관리 용역")
    page.locator("textarea[name=description]").fill("조경 관리\n수목 전지")

    other = "en" if language == "ko" else "ko"
    page.locator(f".portal-lang button[value={other}]").click()

    expect(page.locator("html")).to_have_attribute("lang", other)
    expect(page.locator("input[name=title]")).to_have_value("2027년 청사 조경 관리 용역")
    expect(page.locator("textarea[name=description]")).to_have_value("조경 관리\n수목 전지")
    expect(page.locator(".portal-form-restored")).to_be_visible()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_cpv_picker_finds_a_group_by_words_in_either_language_and_by_code(page, live_server, language):
    _new_tender_page(page, live_server, language)
    picker = page.locator("[data-cpv-picker]")
    search = picker.locator("[data-cpv-search]")
    expect(page.locator("select[name=classifications]")).to_have_count(0)  # no bare multi-select

    search.fill("컴퓨터 장비")
    computers = picker.locator("[data-cpv-item][data-code='30200000']")
    expect(computers).to_be_visible()
    search.fill("computer equipment")
    expect(computers).to_be_visible()
    search.fill("302")
    expect(computers).to_be_visible()
    expect(picker.locator("[data-cpv-item][data-code='45000000']")).to_be_hidden()

    computers.locator("label").click()  # KRDS draws the box over the label
    search.fill("")
    expect(computers).to_be_visible()  # a ticked group stays in sight, its division open
    expect(picker.locator("[data-cpv-ticked]").filter(has_text="1")).to_have_count(1)

"""After signing in everyone lands on their own dashboard, which says what to do next."""

import re

import pytest
from playwright.sync_api import expect

from contracts import services as contract_services
from procurement.roles import Role
from tenders import services as tender_services
from tests.bidding.helpers import bidder, published_tender, submit
from tests.contracts.conftest import BEST_VALUE_PARAMS, opened_tender
from tests.factories import PASSWORD, OfficialFactory, SupplierFactory, SupplierMemberFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["ko", "en"]


@pytest.fixture(autouse=True)
def _demo_mfa(settings):
    settings.MFA_DEMO_RELAX = True  # the people below sign in with a password only


def sign_in_with_the_form(page, live_server, email: str, language: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto("/accounts/login/")
    page.locator("main input[name=login]").fill(email)
    page.locator("main input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def panel(page, key: str):
    return page.locator(f"[data-panel='{key}']")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", [Role.OFFICIAL, Role.SUPPLIER, Role.EVALUATOR, Role.AUDITOR, Role.ADMIN])
def test_every_role_lands_on_its_dashboard_after_signing_in(page, live_server, role, language):
    if role == Role.OFFICIAL:
        user = OfficialFactory(user__email="olivia@agency.example").user
    elif role == Role.SUPPLIER:
        user = SupplierMemberFactory(user__email="sam@supplier.example").user
    else:
        user = UserFactory(email=f"{role}@portal.example", role=role, is_staff=role == Role.ADMIN)

    sign_in_with_the_form(page, live_server, user.email, language)

    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator(".dashboard-panel").first).to_be_visible()


def test_an_officials_dashboard_lists_drafts_approvals_openings_evaluations_and_standstills(page, live_server):
    olivia = OfficialFactory(user__email="olivia@agency.example", entity__requires_second_approval=True).user
    bob = OfficialFactory(user__email="bob@agency.example", entity=olivia.official.entity, can_approve=True).user
    from tests.sealing import custodians_name
    from tests.tenders.conftest import tender_data

    draft = tender_services.tender_create(actor=olivia, data=tender_data(title="2027년 청사 보안 점검"))
    waiting = tender_services.tender_create(actor=olivia, data=tender_data(title="2027년 전산 장비 구매"))
    custodians_name(waiting)
    tender_services.tender_submit_for_approval(tender=waiting, actor=olivia)
    opened, _users = opened_tender(bob, ["90000000"])

    sign_in_with_the_form(page, live_server, bob.email, "en")
    expect(panel(page, "approvals")).to_contain_text("2027년 전산 장비 구매")
    expect(panel(page, "approvals")).to_contain_text("Approve or return it")
    expect(panel(page, "evaluations")).to_contain_text(opened.title)
    expect(panel(page, "evaluations")).to_contain_text("Start the evaluation")
    page.context.clear_cookies()

    sign_in_with_the_form(page, live_server, olivia.email, "en")
    expect(panel(page, "drafts")).to_contain_text(draft.title)
    expect(panel(page, "approvals")).not_to_contain_text("2027년 전산 장비 구매")  # nobody approves their own
    # The evaluation link leads to the evaluation page.
    page.context.clear_cookies()
    sign_in_with_the_form(page, live_server, bob.email, "en")
    panel(page, "evaluations").get_by_role("link", name=re.compile(opened.title)).click()
    expect(page).to_have_url(re.compile(rf"/evaluations/{opened.pk}/$"))


def test_a_suppliers_dashboard_shows_open_bids_with_countdowns_and_new_tenders_matching_its_alerts(page, live_server):
    official = OfficialFactory(user__email="olivia@agency.example").user
    sam = bidder(user__email="sam@supplier.example")
    bid_on = published_tender(entity=official.official.entity, created_by=official, title="2027년 모니터 구매")
    submit(bid_on, sam, price="90000000")
    other = published_tender(entity=official.official.entity, created_by=official, title="2027년 프린터 구매")
    tender_services.subscription_update(
        supplier=sam.supplier_membership.supplier, actor=sam, classifications=[], entities=[official.official.entity]
    )

    sign_in_with_the_form(page, live_server, sam.email, "en")

    open_bids = panel(page, "open_bids")
    expect(open_bids).to_contain_text("2027년 모니터 구매")
    expect(open_bids.locator(".portal-countdown")).to_have_count(1)
    expect(open_bids).to_contain_text("Replace or withdraw before the deadline")
    expect(panel(page, "matching_tenders")).to_contain_text(other.title)


def test_a_supplier_whose_company_awaits_vetting_is_told_so_on_the_dashboard(page, live_server):
    member = SupplierMemberFactory(user__email="pat@pending.example", supplier=SupplierFactory(status="pending"))

    sign_in_with_the_form(page, live_server, member.user.email, "en")

    expect(panel(page, "company")).to_contain_text("not approved yet")


def test_an_evaluator_is_asked_to_declare_then_to_score(page, live_server):
    official = OfficialFactory(user__email="olivia@agency.example").user
    eve = UserFactory(email="eve@evaluators.example", role=Role.EVALUATOR)
    best, _users = opened_tender(official, ["90000000"], method="best_value", evaluation_params=BEST_VALUE_PARAMS)
    contract_services.evaluation_start(tender=best, actor=official)
    member = contract_services.committee_member_add(tender=best, actor=official, user=eve)

    sign_in_with_the_form(page, live_server, eve.email, "en")
    expect(panel(page, "committees")).to_contain_text("Declare conflicts of interest")

    contract_services.conflict_declare(member=member, actor=eve, no_conflict=True)
    page.reload()
    expect(panel(page, "committees")).to_contain_text("Score the bids")
    panel(page, "committees").get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(rf"/evaluations/{best.pk}/scores/$"))


def test_an_admin_sees_the_vetting_queue_and_system_health(page, live_server):
    SupplierFactory(status="pending", name_ko="대기중회사", name_en="Waiting Co")
    UserFactory(email="adam@platform.example", role=Role.ADMIN, is_staff=True)

    sign_in_with_the_form(page, live_server, "adam@platform.example", "en")

    expect(panel(page, "vetting")).to_contain_text(re.compile("대기중회사|Waiting Co"))
    health = panel(page, "health")
    expect(health).to_contain_text("Database")
    expect(health.locator(".is-ok", has_text="Database")).to_contain_text("Up")


def test_an_auditor_is_offered_the_award_reports_and_watches_one_being_prepared(page, live_server, monkeypatch):
    from contracts.models import ReportFile
    from contracts.services.reports import award_report_render

    official = OfficialFactory(user__email="olivia@agency.example").user
    opened, _users = opened_tender(official, ["90000000"])
    UserFactory(email="audrey@audit.example", role=Role.AUDITOR)
    queued = []
    monkeypatch.setattr("contracts.tasks.award_report_render.delay", queued.append)  # the worker: below

    sign_in_with_the_form(page, live_server, "audrey@audit.example", "en")

    link = panel(page, "recent_openings").get_by_role("link", name=re.compile(opened.title))
    expect(link).to_have_attribute("href", f"/reports/tenders/{opened.pk}/award-report/")
    link.click()
    page.get_by_role("button", name="Prepare the award report (PDF)").click()
    status = page.locator("#award-report-status")
    expect(status).to_contain_text("The report is waiting to be prepared")
    expect(status.locator("progress")).to_be_visible()
    # The worker renders it; the page, polling on its own (htmx, no reload), then offers the download.
    award_report_render(report_id=queued[0])
    expect(status.get_by_role("link", name="Download the award report (PDF)")).to_be_visible(timeout=30_000)
    expect(status.locator("[data-report-sha256]")).to_have_text(ReportFile.objects.get(pk=queued[0]).sha256)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_dashboards_fit_a_phone(browser, live_server, language):
    official = OfficialFactory(user__email="olivia@agency.example").user
    opened_tender(official, ["90000000", "95000000"])
    sam = bidder(user__email="sam@supplier.example")
    submit(published_tender(entity=official.official.entity, created_by=official), sam, price="90000000")
    UserFactory(email="audrey@audit.example", role=Role.AUDITOR)
    UserFactory(email="adam@platform.example", role=Role.ADMIN, is_staff=True)

    for email in (official.email, sam.email, "audrey@audit.example", "adam@platform.example"):
        context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 800})
        page = context.new_page()
        sign_in_with_the_form(page, live_server, email, language)
        expect(page).to_have_url(re.compile(r"/dashboard/$"))
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), email
        context.close()

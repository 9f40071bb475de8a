"""axe-core finds no accessibility violations on the evaluation, award, complaint, contract and report pages."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from contracts import services
from tests.contracts.conftest import BEST_VALUE_PARAMS, opened_tender
from tests.contracts.test_awards import evaluated_tender
from tests.contracts.test_contracts import final_award, sign, terms
from tests.e2e.conftest import log_in
from tests.factories import PASSWORD, OfficialFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_contracts_pages_have_no_accessibility_violations(page, live_server, settings):
    settings.MFA_DEMO_RELAX = True  # the people below log in with a password only
    official = OfficialFactory(user__email="olivia@agency.example").user
    auditor = UserFactory(email="audrey@audit.example", role="auditor")
    evaluator = UserFactory(email="eve@evaluators.example", role="evaluator")

    opened, _ = opened_tender(official, ["95000000", "90000000"], method="floor_rate_reserve")
    services.evaluation_start(tender=opened, actor=official)
    tender, users = evaluated_tender(official)
    award = services.award_propose(tender=tender, actor=official)
    complaint = services.complaint_lodge(award=award, actor=users[1], grounds="The licence expired.")
    done, done_users = final_award(official)
    contract = services.contract_create(award=done, actor=official, terms=terms())
    sign(contract, official)
    sign(contract, done_users[0])
    best, _ = opened_tender(official, ["90000000"], method="best_value", evaluation_params=BEST_VALUE_PARAMS)
    services.evaluation_start(tender=best, actor=official)
    member = services.committee_member_add(tender=best, actor=official, user=evaluator)
    axe = Axe()
    found = {}

    def check(*urls):
        for url in urls:
            page.goto(url)
            found[url] = [(v["id"], [n["target"] for n in v["nodes"]]) for v in axe.run(page).response["violations"]]

    check("/awards/", award.get_absolute_url(), contract.get_absolute_url(), "/contracts/")
    log_in(page, official.email, PASSWORD)
    check(
        "/evaluations/",
        f"/evaluations/{opened.pk}/",
        f"/evaluations/{best.pk}/committee/",
        complaint.get_absolute_url(),
        f"/awards/{award.pk}/cancel/",
        f"/contracts/{contract.pk}/amend/",
    )
    page.context.clear_cookies()
    log_in(page, users[1].email, PASSWORD)
    check(f"/awards/{award.pk}/complaints/new/")
    page.context.clear_cookies()
    log_in(page, evaluator.email, PASSWORD)
    check(f"/evaluations/{best.pk}/declaration/")
    services.conflict_declare(member=member, actor=evaluator, no_conflict=True)
    check(f"/evaluations/{best.pk}/scores/")
    page.context.clear_cookies()
    log_in(page, auditor.email, PASSWORD)
    check("/reports/", f"/reports/tenders/{tender.pk}/award-report/")

    assert {url: v for url, v in found.items() if v} == {}

"""Browser journey: an official's draft with a 3-day period shows the integrity warning; a tender
opens with two identical prices, the auditor finds the flag on the dashboard and reviews it with a
note; after the award the public sees the flag on the tender page (and not before)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from contracts import services as contracts
from integrity.tasks import integrity_sweep
from procurement.models import AuditEntry
from procurement.roles import Role
from tests.bidding.helpers import bidder, close_and_open, published_tender, submit
from tests.conftest import enrol_totp
from tests.e2e.conftest import log_in_with_totp
from tests.factories import PASSWORD, OfficialFactory, TenderFactory, UserFactory
from tests.integrity.market import audited_save

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_draft_warning_auditor_review_and_public_flag_after_the_award(page, browser, live_server):
    official = OfficialFactory(user__email="olivia@agency.example").user
    official_secret = enrol_totp(official)
    auditor = UserFactory(email="audrey@audit.example", role=Role.AUDITOR)
    auditor_secret = enrol_totp(auditor)

    # The official opens her draft, whose bids are due in three days: the warning says why.
    draft = TenderFactory(entity=official.official.entity, created_by=official, title="급식 식자재 구매")
    draft.submission_deadline = timezone.now() + timedelta(days=3)
    audited_save(draft)
    log_in_with_totp(page, official.email, PASSWORD, official_secret)
    page.goto(draft.get_absolute_url())
    warning = page.get_by_role("status").filter(has_text="Integrity warnings before publication")
    expect(warning).to_contain_text("Short submission period")
    expect(warning).to_contain_text("below the legal minimum")

    # On the edit form the warning follows the deadline as she changes it.
    page.goto(reverse("tenders:edit", args=[draft.pk]))
    expect(page.get_by_text("Integrity warnings before publication")).to_be_visible()
    deadline = page.get_by_label(re.compile("^Submission deadline"))
    deadline.fill(timezone.localtime(timezone.now() + timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"))
    deadline.press("Tab")
    expect(page.get_by_text("Integrity warnings before publication")).to_have_count(0)
    deadline.fill(timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    deadline.press("Tab")
    expect(page.get_by_text("Integrity warnings before publication")).to_be_visible()
    page.context.clear_cookies()

    # A tender of her entity opens with two identical prices; the sweep runs as beat would.
    tender = published_tender(entity=official.official.entity, created_by=official, title="사무용 복합기 임차")
    submit(tender, bidder(), price="48700000")
    submit(tender, bidder(), price="48700000")
    submit(tender, bidder(), price="49990000")
    integrity_sweep()
    close_and_open(tender)
    integrity_sweep()

    # The public sees no flag before the award.
    page.goto(tender.get_absolute_url())
    expect(page.get_by_text("Identical bid prices")).to_have_count(0)

    # The auditor finds it on the dashboard, filtered by rule, and reviews it with a note.
    log_in_with_totp(page, auditor.email, PASSWORD, auditor_secret)
    page.get_by_role("link", name="Red flags").click()
    page.get_by_label("Rule").select_option(label="Identical bid prices")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("svg[role=img]").first).to_be_visible()
    page.get_by_role("link", name="Identical bid prices").click()
    expect(page.get_by_text("48700000.00")).to_be_visible()
    page.get_by_label("Outcome").select_option(label="Reviewed: referred for investigation")
    page.get_by_label("Note").fill("Identical prices and one office address. Referred to the KFTC.")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("The review was recorded.")).to_be_visible()
    assert AuditEntry.objects.filter(action="integrity.flag_reviewed", actor=auditor).exists()
    page.context.clear_cookies()

    # The award is proposed (standstill: public); the next sweep runs the award-stage rules.
    evaluation = contracts.evaluation_start(tender=tender, actor=official)
    contracts.assessment_review(assessment=contracts.next_for_review(evaluation), actor=official, passed=True)
    contracts.evaluation_complete(evaluation=evaluation, actor=official)
    tender.refresh_from_db()
    contracts.award_propose(tender=tender, actor=official)
    integrity_sweep()

    page.goto(tender.get_absolute_url())
    flags = page.get_by_role("region", name="Integrity red flags")
    expect(flags).to_contain_text("Identical bid prices")
    expect(flags).to_contain_text("Two or more companies bid exactly the same price.")
    expect(flags).to_contain_text("Reviewed: referred for investigation")
    expect(flags).not_to_contain_text("KFTC")  # the auditor's note stays internal
    page.get_by_role("link", name="How the checks work").click()
    expect(page.get_by_role("heading", name="Identical bid prices")).to_be_visible()
    assert re.search(r"/integrity/rules/", page.url)

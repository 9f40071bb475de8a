"""Foundation journeys in a real browser: sign-up to login, MFA enrolment, demo login, language."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from procurement.models import AuditEntry
from tests.e2e.conftest import log_in, totp_code
from tests.factories import PASSWORD, OfficialFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_visitor_signs_up_verifies_the_email_and_logs_in(page):
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("new.supplier@example.org")
    page.get_by_label("Password", exact=True).fill("a-long-Passphrase-77")
    page.get_by_label("Password (again)").fill("a-long-Passphrase-77")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()

    [message] = [m for m in mail.outbox if "new.supplier@example.org" in m.to]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    page.goto(link.replace(re.match(r"https?://[^/]+", link).group(0), ""))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("new.supplier@example.org").first).to_be_visible()

    page.get_by_role("button", name="Sign Out").click()
    log_in(page, "new.supplier@example.org", "a-long-Passphrase-77")
    expect(page.get_by_role("button", name="Sign Out")).to_be_visible()
    assert AuditEntry.objects.filter(action="account.sign_up", actor__email="new.supplier@example.org").exists()


def test_an_official_must_enrol_in_mfa_and_then_logs_in_with_a_code(page):
    official = OfficialFactory(user__email="olivia@agency.example").user
    log_in(page, official.email, PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("Your role requires two-factor authentication")
    page.goto("/notifications/")  # anything else sends her straight back
    expect(page).to_have_url(re.compile(r"/accounts/"))

    # allauth asks for the password again before a security setting changes.
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    secret = page.get_by_label("Authenticator secret").input_value()
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    page.goto("/notifications/")
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()

    page.get_by_role("button", name="Sign Out").click()
    log_in(page, official.email, PASSWORD)
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Sign In").click()
    page.goto("/notifications/")
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()


def test_the_demo_official_logs_in_with_the_published_password(page, settings):
    call_command("load_demo")
    settings.MFA_DEMO_RELAX = True  # what `make run` sets
    log_in(page, "official@example.com", "demo-pass-2026")
    expect(page.get_by_text("official@example.com", exact=True)).to_be_visible()
    expect(page.get_by_text("Procuring official")).to_be_visible()
    expect(page.get_by_role("navigation").get_by_role("link", name="Workspace")).to_be_visible()


def test_the_language_switch_turns_the_portal_korean(page):
    page.goto("/")
    page.get_by_role("button", name="한국어").click()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_role("banner").get_by_role("link", name="로그인")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

"""Everyday details behind the pages: the demo's counts, mail in the log, each person's language."""

import io
import logging

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from procurement.models import Outbox
from procurement.notifications import notify
from tenders.models import Tender
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_load_demo_reports_the_tenders_the_public_list_shows():
    out = io.StringIO()
    call_command("load_demo", stdout=out)

    public = Tender.objects.exclude(status__in=Tender.PRIVATE_STATUSES).count()
    assert f"{Tender.objects.count()} tenders ({public} public)" in out.getvalue()
    assert "tenders in all" not in out.getvalue()
    assert " in all, " not in out.getvalue()


@override_settings(EMAIL_BACKEND="procurement.mail.LogEmailBackend")
def test_development_mail_is_an_info_line_in_the_log_not_a_warning(caplog):
    with caplog.at_level(logging.DEBUG, logger="procurement.mail"):
        mail.send_mail("입찰 접수", "Your bid was received.", "no-reply@example.com", ["sam@supplier.example"])

    (record,) = [r for r in caplog.records if r.name == "procurement.mail"]
    assert record.levelno == logging.INFO
    assert "sam@supplier.example" in record.getMessage()
    assert "Your bid was received." in record.getMessage()


def test_the_development_settings_log_mail_instead_of_printing_it():
    from procurement import settings as project_settings

    assert project_settings.EMAIL_BACKEND == "procurement.mail.LogEmailBackend"
    assert project_settings.CELERY_WORKER_REDIRECT_STDOUTS_LEVEL == "INFO"


def test_switching_to_english_is_remembered_and_notifications_follow_it(client):
    user = UserFactory(email="emma@supplier.example", language="ko")
    client.force_login(user)

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    user.refresh_from_db()
    notify(event="account.welcome", recipients=[user], template="welcome", link="/")

    assert user.language == "en"
    outbox = Outbox.objects.get(recipient=user)
    assert outbox.subject == "Welcome to the national e-procurement portal"


def test_a_korean_user_still_gets_korean(client):
    user = UserFactory(email="minji@supplier.example", language="en")
    client.force_login(user)

    client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    user.refresh_from_db()

    assert user.language == "ko"


def test_signing_in_after_choosing_a_language_stores_it(client):
    user = UserFactory(email="liam@supplier.example", password="correct-horse-battery-staple", language="ko")
    client.cookies["django_language"] = "en"

    client.post("/accounts/login/", {"login": user.email, "password": "correct-horse-battery-staple"})
    user.refresh_from_db()

    assert user.language == "en"

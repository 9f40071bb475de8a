"""People and tenders the tenders tests talk about.

Olivia (the shared `official` fixture) drafts for her entity; Bob is a second official of the same
entity who may approve; Rita is an official of a rival entity; Sam and Tara are supplier users.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from tenders import services
from tests import sealing
from tests.conftest import enrol_totp
from tests.factories import OfficialFactory


@pytest.fixture(autouse=True)
def _english(settings):
    """The tests read English messages (the portal's default language is Korean)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def future(days: float = 0, hours: float = 0):
    return timezone.now() + timedelta(days=days, hours=hours)


def tender_data(**overrides) -> dict:
    data = {
        "title": "2027년 정부청사 전산장비 구매",
        "description": "<p>Desktop computers and monitors for the government complex.</p>",
        "method": "open",
        "category": "goods",
        "estimated_value": Decimal("150000000"),
        "currency": "KRW",
        "delivery_place": "정부세종청사",
        "delivery_period": "계약일로부터 60일",
        "eligibility": "",
        "evaluation_method": "lowest_price",
        "evaluation_params": {},
        "clarification_deadline": future(days=5),
        "submission_deadline": future(days=10),
        "opening_at": future(days=10, hours=1),
    }
    data.update(overrides)
    return data


def make_classification(code: str, title: str = ""):
    from suppliers.models import Classification

    classification, _ = Classification.objects.get_or_create(
        code=code, defaults={"title_ko": title or code, "title_en": title or code}
    )
    return classification


@pytest.fixture
def entity(official):
    return official.official.entity


@pytest.fixture
def bob(entity):
    """Bob: a second official of Olivia's entity, allowed to approve publications."""
    membership = OfficialFactory(user__email="bob@agency.example", entity=entity, can_approve=True)
    enrol_totp(membership.user)
    return membership.user


@pytest.fixture
def rita(db):
    """Rita: an official of a rival entity."""
    membership = OfficialFactory(user__email="rita@rival-agency.example", can_approve=True)
    enrol_totp(membership.user)
    return membership.user


@pytest.fixture
def draft(official):
    return services.tender_create(actor=official, data=tender_data())


@pytest.fixture
def published(official, draft):
    return sealing.publish(tender=draft, actor=official)


def login(client, user):
    client.force_login(user)
    return client

import pytest
from django.utils import translation

from integrity import services
from integrity.indicators import rule_get
from integrity.models import Flag

from .market import Market


@pytest.fixture(autouse=True)
def in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def market(db):
    return Market()


@pytest.fixture
def thresholds(settings):
    """Change one rule's thresholds for one test: thresholds("single_bid", max_bids=2)."""

    def change(rule_id: str, **values):
        settings.INTEGRITY_THRESHOLDS = {
            **settings.INTEGRITY_THRESHOLDS,
            rule_id: {**settings.INTEGRITY_THRESHOLDS[rule_id], **values},
        }

    return change


def run(rule_id: str, tender_ids=None):
    services.rule_run(rule=rule_get(rule_id), tender_ids=tender_ids)
    return list(Flag.objects.filter(rule=rule_id, cleared_at__isnull=True).order_by("id"))


def flags_on(rule_id: str, tender) -> list[Flag]:
    return list(Flag.objects.filter(rule=rule_id, tenders=tender, cleared_at__isnull=True))

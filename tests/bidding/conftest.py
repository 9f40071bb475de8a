"""People and tenders the bidding tests talk about.

Sam (`supplier_user`) and Tara (`other_supplier_user`) bid for two approved companies; Olivia
(`official`) is the official of the buying entity; Audrey the auditor; Adam the platform admin.
"""

import pytest
from django.test import Client

from tests.bidding.helpers import published_tender


@pytest.fixture(autouse=True)
def in_english(settings):
    """Messages in English, whatever the deployment's default (Korean) and its catalogues."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def tender(official):
    """Open for bids (lowest price), bought by Olivia's entity; deadline in ten days."""
    return published_tender(entity=official.official.entity, created_by=official)


@pytest.fixture
def reserve_tender(official):
    """A floor-rate tender with multiple reserve prices (defaults: 15 within ±2 %, pick 2, average 4)."""
    return published_tender(
        entity=official.official.entity,
        created_by=official,
        evaluation_method="floor_rate_reserve",
        estimated_value=100_000_000,
    )


@pytest.fixture
def client_for():
    def make(user=None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make

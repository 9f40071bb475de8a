"""People and opened tenders the contracts tests talk about.

Olivia (`official`) buys for her entity; Bob (`second_official`) is a colleague who may approve;
Rita (`rival_official`) works for another entity; Eve (`evaluator`) is an outside evaluator;
Audrey the auditor. Bidders are fresh supplier companies (`tests.bidding.helpers.bidder`). Opened
tenders are made the real way: sealed bids through bidding's services, then closing and opening.
"""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from procurement.roles import Role
from tests.bidding.helpers import bidder, close_and_open, pdf_with, published_tender, submit
from tests.conftest import enrol_totp
from tests.factories import OfficialFactory, TenderFactory, UserFactory


@pytest.fixture(autouse=True)
def in_english(settings):
    """Messages in English, whatever the deployment's default (Korean) and its catalogues."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def second_official(official):
    membership = OfficialFactory(user__email="bob@agency.example", entity=official.official.entity, can_approve=True)
    enrol_totp(membership.user)
    return membership.user


@pytest.fixture
def rival_official(db):
    membership = OfficialFactory(user__email="rita@rival-agency.example")
    enrol_totp(membership.user)
    return membership.user


@pytest.fixture
def evaluator(db):
    user = UserFactory(email="eve@evaluators.example", role=Role.EVALUATOR)
    enrol_totp(user)
    return user


@pytest.fixture
def second_evaluator(db):
    user = UserFactory(email="evan@evaluators.example", role=Role.EVALUATOR)
    enrol_totp(user)
    return user


@pytest.fixture
def client_for():
    def make(user=None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


def opened_tender(official, prices, *, method="lowest_price", reserve_prices=False, documents=False, **kwargs):
    """A tender of Olivia's entity with one sealed bid per price (fresh companies, in this order), opened.

    Without `reserve_prices` a floor-rate tender has no reserve-price draw, so opening takes the
    estimated value as the planned price: 100,000,000 → floor 87,745,000 (87.745 %, rounded up).
    Returns (tender, users) — users[i] is the administrator of the company that bid prices[i].
    """
    make = published_tender if reserve_prices else (lambda **kw: TenderFactory(published=True, **kw))
    tender = make(
        entity=official.official.entity,
        created_by=official,
        evaluation_method=method,
        estimated_value=kwargs.pop("estimated_value", 100_000_000),
        **kwargs,
    )
    documents = documents or method == "best_value"  # best value needs a technical proposal
    users = []
    for price in prices:
        user = bidder()
        docs = [("technical-proposal.pdf", pdf_with(f"proposal of {user.email}"))] if documents else []
        submit(tender, user, price=str(Decimal(price)), documents=docs)
        users.append(user)
    close_and_open(tender)
    return tender, users


BEST_VALUE_PARAMS = {
    "technical_weight": 80,
    "price_weight": 20,
    "technical_threshold_pct": 70,
    "technical_criteria": [{"name": "Approach", "max_score": 60}, {"name": "Team", "max_score": 40}],
}

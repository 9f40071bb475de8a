"""People and opened tenders the contracts tests talk about.

Olivia (`official`) buys for her entity; Bob (`second_official`) is a colleague who may approve;
Rita (`rival_official`) works for another entity; Eve (`evaluator`) is an outside evaluator;
Audrey the auditor. Bidders are fresh supplier companies (`tests.bidding.helpers.bidder`). Opened
tenders are made the real way: sealed bids through bidding's services, then closing and opening.
"""

from decimal import ROUND_FLOOR, Decimal

import pytest
from django.test import Client
from django.utils import translation

from procurement.roles import Role
from sealclient.reserve import reserve_slices
from tests.bidding.helpers import bidder, close_and_open, pdf_with, published_tender, submit
from tests.conftest import enrol_totp
from tests.factories import OfficialFactory, UserFactory


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


# Bidders alternate between these picks, so numbers 6, 7, 9 and 10 are the four most picked whenever
# there are at least two bids; their values mirror each other around the base price.
_CENTRED_PICKS = ((6, 7), (9, 10))


def _centred_reserve_values(base: Decimal) -> list[Decimal]:
    """Reserve prices, each inside its slice, whose numbers 6, 7, 9 and 10 average to exactly `base`."""
    slices = reserve_slices(base_price=base, range_pct=Decimal(2), count=15)
    values = [((s.low + s.high) / 2).to_integral_value(rounding=ROUND_FLOOR) for s in slices]
    for low, high in ((6, 10), (7, 9)):
        values[high - 1] = 2 * base - values[low - 1]
    return values


def opened_tender(official, prices, *, method="lowest_price", reserve_prices=False, documents=False, **kwargs):
    """A tender of Olivia's entity with one sealed bid per price (fresh companies, in this order), opened.

    Without `reserve_prices` a floor-rate tender gets a draw whose planned price is the estimated value
    (`_centred_reserve_values`), so 100,000,000 → floor 87,745,000 (87.745 %, rounded up); with it,
    the draw is random as in the browser.
    Returns (tender, users) — users[i] is the administrator of the company that bid prices[i].
    """
    estimated_value = kwargs.pop("estimated_value", 100_000_000)
    centred = method == "floor_rate_reserve" and not reserve_prices
    if centred:
        kwargs["sealing__reserve_values"] = _centred_reserve_values(Decimal(estimated_value))
    tender = published_tender(
        entity=official.official.entity,
        created_by=official,
        evaluation_method=method,
        estimated_value=estimated_value,
        **kwargs,
    )
    documents = documents or method == "best_value"  # best value needs a technical proposal
    users = []
    for index, price in enumerate(prices):
        user = bidder()
        docs = [("technical-proposal.pdf", pdf_with(f"proposal of {user.email}"))] if documents else []
        picks = _CENTRED_PICKS[index % 2] if centred else None
        submit(tender, user, price=str(Decimal(price)), documents=docs, picks=picks)
        users.append(user)
    close_and_open(tender)
    return tender, users


BEST_VALUE_PARAMS = {
    "technical_weight": 80,
    "price_weight": 20,
    "technical_threshold_pct": 70,
    "technical_criteria": [{"name": "Approach", "max_score": 60}, {"name": "Team", "max_score": 40}],
}

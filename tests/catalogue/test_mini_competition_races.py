"""Races around a second-stage competition, with real threads and connections: two officials award
it at once; an award and a direct order compete for the last of the budget."""

from decimal import Decimal

import pytest

from catalogue import services
from catalogue.models import EntityBudget, MiniCompetition, Order
from procurement.errors import Conflict, DomainError
from tests.bidding.helpers import close_and_open
from tests.bidding.test_concurrency import in_threads
from tests.catalogue.test_mini_competitions import offer, start
from tests.conftest import enrol_totp
from tests.factories import OfficialFactory
from tests.sealing import publish

from .conftest import agreement_under, make_agreement, make_item, order, set_budget

pytestmark = pytest.mark.django_db(transaction=True)


def _attempt(work):
    try:
        return work()
    except DomainError as exc:
        return exc


@pytest.fixture
def opened(official, supplier_user, other_supplier_user):
    """A competition for 60 notebooks (60 M), offers of 59 M and 57 M, opened."""
    agreement = make_agreement(official, supplier_user)
    agreement_under(agreement.call, official, other_supplier_user)
    item = make_item(agreement, supplier_user, official)
    set_budget(official, amount="200000000")
    competition = start(official, item, 60)
    publish(tender=competition.tender, actor=official)
    competition = MiniCompetition.objects.get(pk=competition.pk)  # the published tender
    offer(competition, supplier_user, "59000000")
    offer(competition, other_supplier_user, "57000000")
    close_and_open(competition.tender)
    return MiniCompetition.objects.get(pk=competition.pk)


def approvers(official, n):
    users = []
    for _ in range(n):
        member = OfficialFactory(entity=official.official.entity, can_approve=True).user
        enrol_totp(member)
        users.append(member)
    return users


def test_two_officials_awarding_at_once_place_one_order(opened, official):
    bob, carol = approvers(official, 2)
    results = in_threads(
        2,
        lambda i: _attempt(lambda: services.mini_competition_award(competition=opened, actor=(bob, carol)[i])),
    )
    assert sum(isinstance(r, MiniCompetition) for r in results) == 1
    assert sum(isinstance(r, DomainError) for r in results) == 1
    assert Order.objects.count() == 1
    assert EntityBudget.objects.get().committed == Decimal("57000000")


def test_an_award_and_a_direct_order_never_spend_more_than_the_budget_together(opened, official, supplier_user):
    (bob,) = approvers(official, 1)
    budget = EntityBudget.objects.get()
    budget.amount = Decimal("60000000")  # room for the award (57 M) or a 4 M order first, not both
    budget.save()
    small = make_item(opened.origin_agreement, supplier_user, official, name="모니터", price="4000000")
    results = in_threads(
        2,
        lambda i: _attempt(
            (
                lambda: services.mini_competition_award(competition=opened, actor=bob),
                lambda: order(official, (small, 1)),
            )[i]
        ),
    )
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(refused) == 1
    assert refused[0].code == "budget"
    assert EntityBudget.objects.get().committed <= Decimal("60000000")
    assert Order.objects.count() == 1

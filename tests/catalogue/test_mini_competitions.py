"""Second-stage competitions (2단계경쟁): an order at or above the threshold becomes a tender among
the framework's suppliers; only they may offer, sealed, before the deadline; the award places the
order with the best offer whose agreement can take it, within the budget (docs/architecture.md §11).

Olivia (`official`) requests; Bob (`second_official`, an approver) awards. Sam's agreement is the one
whose item is in the cart; Tara's is a second agreement under the same framework call; Uma holds an
approved company with no agreement; Rita buys for another entity.
"""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bidding.models import Bid
from catalogue import services
from catalogue.models import CartLine, FrameworkAgreement, MiniCompetition, Order
from procurement.errors import Conflict, DomainError, Forbidden, Invalid
from procurement.models import AuditEntry
from tenders.forms import TenderForm
from tenders.models import Invitation, Tender
from tenders.policies import method_policy
from tests.bidding.helpers import bidder, close_and_open, set_times, submit
from tests.catalogue.conftest import agreement_under, make_item, set_budget
from tests.sealing import api_body, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def rival_in_call(agreement, official, other_supplier_user):
    return agreement_under(agreement.call, official, other_supplier_user)


@pytest.fixture
def big_budget(official):
    return set_budget(official, amount="200000000", limit="5000000")


def start(official, item, quantity, *, days=2, **kwargs):
    services.cart_add(actor=official, item=item, quantity=quantity)
    deadline = timezone.now() + timedelta(days=days)
    return services.mini_competition_start(
        actor=official,
        agreement=item.agreement,
        delivery_address="정부세종청사 6동",
        region="sejong",
        submission_deadline=deadline,
        opening_at=deadline + timedelta(hours=1),
        **kwargs,
    )


@pytest.fixture
def competition(official, item, rival_in_call, big_budget):
    """60 notebooks at 1,000,000 (60 M ≥ the 50 M threshold), published."""
    competition = start(official, item, 60)
    publish(tender=competition.tender, actor=official)
    competition.refresh_from_db()
    return competition


def offer(competition, user, price, lines=()):
    return submit(competition.tender, user, price=price, lines=lines)


def award(competition, actor):
    close_and_open(competition.tender)
    return services.mini_competition_award(competition=competition, actor=actor)


# --- the way in ------------------------------------------------------------------------------------


def test_an_order_at_the_threshold_is_refused_directly_and_becomes_a_competition_of_the_framework(
    settings, official, item, agreement, rival_in_call, big_budget
):
    settings.CATALOGUE_MINI_COMPETITION_THRESHOLD = Decimal("50000000")
    with pytest.raises(Conflict) as refused:
        services.orders_place(
            actor=official,
            lines=[services.Wanted(item.pk, 50, item.unit_price)],
            delivery_address="세종",
            region="sejong",
        )
    assert refused.value.code == "mini_competition"
    assert not Order.objects.exists()

    competition = start(official, item, 50)  # exactly the threshold
    tender = competition.tender
    assert tender.method == Tender.Method.MINI_COMPETITION
    assert tender.status == Tender.Status.DRAFT
    assert tender.estimated_value == Decimal("50000000")
    assert competition.framework_id == agreement.call_id
    assert competition.origin_agreement_id == agreement.pk
    invited = set(Invitation.objects.filter(tender=tender).values_list("supplier_id", flat=True))
    assert invited == {agreement.supplier_id, rival_in_call.supplier_id}
    assert [(line.name, line.quantity) for line in competition.lines.all()] == [(item.name_ko, 50)]
    assert not CartLine.objects.filter(user=official).exists()  # the lines went into the competition
    assert AuditEntry.objects.filter(action="mini_competition.start", object_id=str(competition.pk)).exists()


def test_just_below_the_threshold_the_order_is_placed_directly_not_competed(settings, official, item, big_budget):
    settings.CATALOGUE_MINI_COMPETITION_THRESHOLD = Decimal("50000001")
    services.cart_add(actor=official, item=item, quantity=50)
    deadline = timezone.now() + timedelta(days=2)
    with pytest.raises(Conflict) as refused:
        services.mini_competition_start(
            actor=official,
            agreement=item.agreement,
            delivery_address="세종",
            region="sejong",
            submission_deadline=deadline,
            opening_at=deadline + timedelta(hours=1),
        )
    assert refused.value.code == "below_threshold"
    assert not Tender.objects.filter(method=Tender.Method.MINI_COMPETITION).exists()
    (placed,) = services.orders_place_from_cart(actor=official, delivery_address="세종", region="sejong")
    assert placed.total == Decimal("50000000")


def test_a_competition_beyond_the_budget_is_refused_at_the_start(official, item, rival_in_call):
    set_budget(official, amount="55000000")
    with pytest.raises(Conflict) as refused:
        start(official, item, 60)
    assert refused.value.code == "budget"
    assert not MiniCompetition.objects.exists()


def test_the_offer_period_cannot_be_shorter_than_the_setting(settings, official, item, big_budget):
    settings.MIN_TENDER_PERIOD_DAYS = {**settings.MIN_TENDER_PERIOD_DAYS, "mini_competition": {"goods": 1}}
    with pytest.raises(Invalid) as refused:
        start(official, item, 60, days=0.5)
    assert refused.value.field == "submission_deadline"


def test_officials_cannot_choose_the_method_or_change_who_is_invited(official, competition):
    from tenders.services import tender_create, tender_invitations_set

    assert Tender.Method.MINI_COMPETITION not in dict(TenderForm().fields["method"].choices)
    with pytest.raises(Conflict):
        tender_create(actor=official, data={"title": "x", "method": "mini_competition", "estimated_value": 1})
    with pytest.raises(Conflict):
        tender_invitations_set(tender=competition.tender, actor=official, suppliers=[])
    policy = method_policy(Tender.Method.MINI_COMPETITION)
    assert policy.invitation_only
    assert policy.invitations_from_framework
    assert not policy.chosen_by_officials


# --- who may offer, and when -------------------------------------------------------------------------


def test_an_approved_supplier_without_an_agreement_under_the_framework_cannot_offer(
    competition, supplier_user, client_for
):
    uma = bidder()
    with pytest.raises(DomainError, match="invited"):
        offer(competition, uma, "50000000")
    response = client_for(uma).post(
        "/api/v1/bids/",
        api_body(competition.tender, uma.supplier_membership.supplier, price="50000000"),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code in (403, 409), response.content
    assert "invited" in response.content.decode()
    page = client_for(uma).get(f"/bids/tender/{competition.tender.pk}/bid/")
    assert "invited" in page.content.decode()
    assert not Bid.objects.filter(tender=competition.tender).exists()
    assert offer(competition, supplier_user, "59000000").created  # an invited one can


def test_an_offer_after_the_deadline_is_refused(competition, supplier_user):
    set_times(competition.tender, deadline=-1, opening=60)
    with pytest.raises(DomainError, match=r"deadline|not open"):
        offer(competition, supplier_user, "59000000")
    assert not Bid.objects.filter(tender=competition.tender).exists()


def test_the_invited_suppliers_are_told_when_it_is_published(competition, supplier_user, other_supplier_user):
    from procurement.models import Outbox

    told = set(Outbox.objects.filter(event="tender.published").values_list("recipient_id", flat=True))
    assert {supplier_user.pk, other_supplier_user.pk} <= told


# --- the award ---------------------------------------------------------------------------------------


def test_the_lowest_offer_wins_and_becomes_the_order_at_its_own_unit_prices(
    item, competition, supplier_user, other_supplier_user, second_official, rival_in_call, big_budget
):
    offer(competition, supplier_user, "59000000")
    offer(
        competition,
        other_supplier_user,
        "57000000",
        lines=[{"description": "노트북", "quantity": 60, "unit_price": 950000}],
    )
    competition = award(competition, second_official)

    order = competition.order
    assert competition.status == MiniCompetition.Status.AWARDED
    assert order.supplier_id == rival_in_call.supplier_id
    assert order.agreement_id == rival_in_call.pk
    assert order.status == Order.Status.PLACED  # Bob, an approver who did not request it, awarded it
    assert order.approved_by_id == second_official.pk
    assert [(line.quantity, line.unit_price, line.price_version) for line in order.lines.all()] == [
        (60, Decimal("950000"), 0)
    ]
    assert order.lines.get().item_id == item.pk  # the specification competed for, not a stock line
    assert type(item).objects.get(pk=item.pk).stock == item.stock
    assert order.total == Decimal("57000000")
    rival_in_call.refresh_from_db()
    big_budget.refresh_from_db()
    assert rival_in_call.ordered_total == Decimal("57000000")
    assert big_budget.committed == Decimal("57000000")
    tender = Tender.objects.get(pk=competition.tender_id)
    assert tender.status == Tender.Status.CONTRACTED
    statuses = dict(Bid.objects.filter(tender=tender).values_list("supplier_id", "status"))
    assert statuses == {rival_in_call.supplier_id: "awarded", competition.origin_agreement.supplier_id: "not_awarded"}
    assert AuditEntry.objects.filter(action="mini_competition.award", object_id=str(competition.pk)).exists()
    with pytest.raises(DomainError):  # once
        services.mini_competition_award(competition=competition, actor=second_official)


def test_without_matching_price_lines_the_catalogue_prices_are_scaled_never_above_the_offer(
    competition, supplier_user, second_official
):
    offer(competition, supplier_user, "55555555")
    order = award(competition, second_official).order
    (line,) = order.lines.all()
    assert line.unit_price == Decimal("925925")
    assert order.total == Decimal("55555500") <= Decimal("55555555")


def test_an_award_by_the_requesting_official_above_her_limit_waits_for_a_second_official(
    competition, supplier_user, official
):
    offer(competition, supplier_user, "59000000")
    order = award(competition, official).order
    assert order.status == Order.Status.PENDING_APPROVAL
    assert order.approved_by is None


@pytest.mark.parametrize("problem", ["expired", "ceiling"])
def test_a_winner_whose_agreement_cannot_take_the_order_is_passed_over_with_the_reason(
    competition, supplier_user, other_supplier_user, second_official, rival_in_call, problem
):
    offer(competition, supplier_user, "59000000")
    offer(competition, other_supplier_user, "57000000")
    if problem == "expired":
        rival_in_call.end_date = timezone.localdate() - timedelta(days=1)
    else:
        rival_in_call.ceiling = Decimal("56999999")
    rival_in_call.save()
    competition = award(competition, second_official)
    assert competition.order.supplier_id == competition.origin_agreement.supplier_id
    assert competition.order.total == Decimal("983333") * 60  # 59 M scaled to the lines, rounded down
    entry = AuditEntry.objects.get(action="mini_competition.award", object_id=str(competition.pk))
    assert entry.data["passed_over"][0]["supplier"] == rival_in_call.supplier_id
    assert rival_in_call.reference in entry.data["passed_over"][0]["reason"]


def test_when_no_offer_can_be_awarded_nothing_is_ordered(competition, supplier_user, second_official, agreement):
    offer(competition, supplier_user, "59000000")
    FrameworkAgreement.objects.filter(pk=agreement.pk).update(ceiling=Decimal("1000000"))
    with pytest.raises(Conflict) as refused:
        award(competition, second_official)
    assert refused.value.code == "no_awardable_offer"
    assert "ceiling" in refused.value.message
    assert not Order.objects.exists()
    assert MiniCompetition.objects.get().status == MiniCompetition.Status.OPEN
    # The official ends it; the competition ends with its tender.
    services.mini_competition_declare_unsuccessful(
        competition=competition, actor=second_official, reason="No agreement can take the order"
    )
    assert MiniCompetition.objects.get().status == MiniCompetition.Status.UNSUCCESSFUL
    assert Tender.objects.get(pk=competition.tender_id).status == Tender.Status.UNSUCCESSFUL


def test_an_award_beyond_the_budget_left_is_refused_and_changes_nothing(
    competition, supplier_user, second_official, big_budget
):
    offer(competition, supplier_user, "59000000")
    big_budget.amount = Decimal("60000000")
    big_budget.committed = Decimal("2000000")  # spent elsewhere meanwhile
    big_budget.save()
    with pytest.raises(Conflict) as refused:
        award(competition, second_official)
    assert refused.value.code == "budget"
    assert not Order.objects.exists()
    assert Tender.objects.get(pk=competition.tender_id).status == Tender.Status.OPENED
    assert Bid.objects.get(tender=competition.tender).status == Bid.Status.OPENED


def test_only_an_official_of_the_buying_entity_awards_and_only_once_opened(
    competition, supplier_user, rival_official, second_official
):
    offer(competition, supplier_user, "59000000")
    with pytest.raises(Conflict) as early:
        services.mini_competition_award(competition=competition, actor=second_official)
    assert early.value.code == "not_opened"
    close_and_open(competition.tender)
    with pytest.raises(Forbidden):
        services.mini_competition_award(competition=competition, actor=rival_official)
    with pytest.raises(Forbidden):
        services.mini_competition_award(competition=competition, actor=supplier_user)


def test_cancelling_the_awarded_order_gives_back_budget_and_ceiling_and_touches_no_stock(
    competition, supplier_user, second_official, item, big_budget, agreement
):
    offer(competition, supplier_user, "59000000")
    order = award(competition, second_official).order
    stock = type(item).objects.get(pk=item.pk).stock
    services.order_cancel(order=order, actor=second_official, reason="Requirement withdrawn")
    big_budget.refresh_from_db()
    agreement.refresh_from_db()
    assert big_budget.committed == 0
    assert agreement.ordered_total == 0
    assert type(item).objects.get(pk=item.pk).stock == stock


def test_a_second_item_of_another_agreement_is_not_swept_into_the_competition(
    official, item, rival_in_call, other_supplier_user, big_budget
):
    other_item = make_item(rival_in_call, other_supplier_user, official, name="모니터", price="300000")
    services.cart_add(actor=official, item=other_item, quantity=2)
    competition = start(official, item, 60)
    assert [line.item_id for line in competition.lines.all()] == [item.pk]
    assert CartLine.objects.filter(user=official, item=other_item).exists()


# --- pages ----------------------------------------------------------------------------------------------


def test_the_cart_offers_a_competition_and_the_form_drafts_it(client_for, official, item, rival_in_call, big_budget):
    services.cart_add(actor=official, item=item, quantity=60)
    client = client_for(official)
    cart = client.get("/catalogue/cart/").content.decode()
    new_url = f"/catalogue/mini-competitions/new/{item.agreement_id}/"
    assert new_url in cart
    assert "2 suppliers will be invited" in client.get(new_url).content.decode()
    deadline = timezone.localtime(timezone.now() + timedelta(days=2))
    response = client.post(
        new_url,
        {
            "delivery_address": "정부세종청사",
            "region": "sejong",
            "submission_deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
            "opening_at": (deadline + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    competition = MiniCompetition.objects.get()
    assert response.status_code == 302
    assert response["Location"] == competition.tender.get_absolute_url()
    short = client.post(new_url, {"delivery_address": "x", "region": "sejong"})  # nothing left in the cart
    assert short.status_code == 200
    assert MiniCompetition.objects.count() == 1


def test_only_the_buying_entity_sees_the_competition_page_and_the_public_sees_the_framework(
    client_for, competition, rival_official, supplier_user, official
):
    url = competition.get_absolute_url()
    assert client_for(official).get(url).status_code == 200
    assert "Offers stay sealed until the opening." in client_for(official).get(url).content.decode()
    assert client_for(rival_official).get(url).status_code == 404
    assert client_for(supplier_user).get(url).status_code == 404
    public = client_for().get(competition.tender.get_absolute_url()).content.decode()
    assert "Second-stage competition under a framework agreement" in public
    assert competition.origin_agreement.get_absolute_url() in public
    assert url not in public  # the offers-and-award page is the entity's
    assert client_for(rival_official).post(f"{url}award/").status_code == 404


def test_awarding_from_the_page_goes_to_the_order(client_for, competition, supplier_user, second_official):
    offer(competition, supplier_user, "59000000")
    close_and_open(competition.tender)
    page = client_for(second_official).get(competition.get_absolute_url()).content.decode()
    assert "Award and place the order" in page
    assert "59,000,000" in page
    response = client_for(second_official).post(f"{competition.get_absolute_url()}award/")
    assert response.status_code == 302
    assert response["Location"] == Order.objects.get().get_absolute_url()


def test_the_contracts_evaluation_does_not_take_over_a_competition(competition, supplier_user, official, client_for):
    from contracts.services import evaluation_start

    offer(competition, supplier_user, "59000000")
    close_and_open(competition.tender)
    with pytest.raises(Conflict) as refused:
        evaluation_start(tender=competition.tender, actor=official)
    assert refused.value.code == "awarded_elsewhere"
    page = client_for(official).get(competition.tender.get_absolute_url()).content.decode()
    assert f"/evaluations/{competition.tender.pk}/" not in page
    assert "Offers and award" in page

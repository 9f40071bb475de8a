"""People, agreements and items the catalogue tests talk about.

Olivia (`official`) buys for her entity, which is also the agency that concluded the agreements
(so she reviews items too); Bob (`second_official`) may approve orders; Rita (`rival_official`)
buys for another entity. Sam (`supplier_user`) holds the agreement `agreement`; Tara
(`other_supplier_user`) holds `rival_agreement`. Agreements are made directly here (one test,
test_agreements, concludes them from a real framework tender through the services).
"""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone, translation

from bidding.models import Bid
from catalogue import services
from catalogue.models import CatalogueItem, EntityBudget, FrameworkAgreement, FrameworkCall
from procurement.audit import audit_record
from suppliers.models import Classification
from suppliers.selectors import membership_for_user
from tests.conftest import enrol_totp
from tests.factories import OfficialFactory, TenderFactory

_refs = itertools.count(1)


@pytest.fixture(autouse=True)
def in_english(settings):
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
def client_for():
    def make(user=None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


def make_agreement(agency_official, supplier_user, *, ceiling="100000000", cpv="30200000", days=365):
    """An active agreement of the official's entity with the user's company, concluded today."""
    entity = agency_official.official.entity
    supplier = membership_for_user(supplier_user).supplier
    n = next(_refs)
    tender = TenderFactory(entity=entity, created_by=agency_official, status="contracted", reference=f"2098-{n:05d}")
    classification = Classification.objects.get(code=cpv)
    today = timezone.localdate()
    call, _ = FrameworkCall.objects.get_or_create(
        tender=tender,
        defaults={
            "ceiling": Decimal(ceiling),
            "start_date": today,
            "end_date": today + timedelta(days=days),
            "classification": classification,
            "created_by": agency_official,
        },
    )
    with transaction.atomic():
        bid = Bid.objects.create(tender=tender, supplier=supplier, status="awarded", created_by=supplier_user)
        # The database refuses an unaudited bid (procurement 0005): say in the log that a test made it.
        audit_record(actor=None, action="test.bid", obj=bid)
    return FrameworkAgreement.objects.create(
        call=call,
        tender=tender,
        entity=entity,
        supplier=supplier,
        bid=bid,
        reference=f"{tender.reference}-F1",
        title="사무용 전산기기 다수공급자계약",
        classification=classification,
        ceiling=Decimal(ceiling),
        start_date=today,
        end_date=today + timedelta(days=days),
        max_price_increase_pct=Decimal("5"),
        concluded_by=agency_official,
    )


def make_item(
    agreement,
    supplier_user,
    agency_official,
    *,
    name="노트북 컴퓨터",
    price="1000000",
    stock=100,
    publish=True,
    **extra,
):
    data = services.ItemData(
        name_ko=name,
        name_en=extra.pop("name_en", "Notebook computer"),
        unit_price=price,
        stock=stock,
        regions=extra.pop("regions", ["seoul", "sejong"]),
        specification=extra.pop("specification", "14인치, 16GB"),
        **extra,
    )
    item = services.item_create(agreement=agreement, actor=supplier_user, data=data)
    if publish:
        services.item_submit(item=item, actor=supplier_user)
        item = services.item_review(item=item, actor=agency_official, approve=True)
    return item


def set_budget(official, amount="50000000", limit="5000000") -> EntityBudget:
    budget, _ = EntityBudget.objects.update_or_create(
        entity=official.official.entity,
        year=timezone.localdate().year,
        defaults={"amount": Decimal(amount), "approval_limit": Decimal(limit)},
    )
    return budget


def order(official, *items_and_quantities, region="sejong", address="정부세종청사 6동"):
    lines = [services.Wanted(item.pk, quantity, item.unit_price) for item, quantity in items_and_quantities]
    return services.orders_place(actor=official, lines=lines, delivery_address=address, region=region)


def agreement_under(call, agency_official, supplier_user, *, ceiling="500000000", end_days=365):
    """Another supplier's agreement under the same framework call (as agreements_conclude makes them)."""
    supplier = membership_for_user(supplier_user).supplier
    with transaction.atomic():
        bid = Bid.objects.create(tender=call.tender, supplier=supplier, status="awarded", created_by=supplier_user)
        audit_record(actor=None, action="test.bid", obj=bid)
    today = timezone.localdate()
    return FrameworkAgreement.objects.create(
        call=call,
        tender=call.tender,
        entity=call.tender.entity,
        supplier=supplier,
        bid=bid,
        reference=f"{call.tender.reference}-F{FrameworkAgreement.objects.filter(call=call).count() + 1}",
        title="사무용 전산기기 다수공급자계약",
        classification=call.classification,
        ceiling=Decimal(ceiling),
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=end_days),
        max_price_increase_pct=Decimal("5"),
        concluded_by=agency_official,
    )


@pytest.fixture
def agreement(official, supplier_user):
    return make_agreement(official, supplier_user)


@pytest.fixture
def rival_agreement(official, other_supplier_user):
    return make_agreement(official, other_supplier_user)


@pytest.fixture
def item(agreement, supplier_user, official):
    return make_item(agreement, supplier_user, official)


@pytest.fixture
def budget(official):
    return set_budget(official)


__all__ = ["CatalogueItem", "agreement_under", "make_agreement", "make_item", "order", "set_budget"]

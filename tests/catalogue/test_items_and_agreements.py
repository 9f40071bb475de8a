"""Framework agreements from a framework tender; supplier items approved by the agency; price changes
versioned and bounded; no supplier touches another's catalogue."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalogue import services
from catalogue.models import CatalogueItem, FrameworkAgreement, FrameworkCall, ItemPriceChange
from contracts import services as contract_services
from procurement.errors import Conflict, Forbidden, Invalid, InvalidTransition
from procurement.models import AuditEntry, Outbox
from suppliers.models import Classification
from tenders.models import Tender
from tests.contracts.test_awards import after_standstill
from tests.factories import TenderFactory

from .conftest import make_item

pytestmark = pytest.mark.django_db


def test_a_draft_tender_becomes_a_framework_competition_only_with_a_method_that_allows_it(official):
    cpv = Classification.objects.get(code="30200000")
    today = timezone.localdate()
    terms = {
        "max_suppliers": 3,
        "ceiling": "500000000",
        "start_date": today,
        "end_date": today + timedelta(days=365),
        "classification": cpv,
    }
    floor_rate = TenderFactory(
        entity=official.official.entity, created_by=official, evaluation_method="floor_rate_reserve"
    )
    with pytest.raises(Invalid):
        services.framework_call_set(tender=floor_rate, actor=official, **terms)

    draft = TenderFactory(entity=official.official.entity, created_by=official)
    call = services.framework_call_set(tender=draft, actor=official, **terms)
    assert call.max_suppliers == 3
    published = TenderFactory(entity=official.official.entity, created_by=official, published=True)
    with pytest.raises(InvalidTransition):
        services.framework_call_set(tender=published, actor=official, **terms)


def test_agreements_are_concluded_with_the_awarded_and_next_ranked_suppliers_after_the_standstill(official):
    from tests.contracts.test_awards import evaluated_tender

    tender, users = evaluated_tender(official, prices=("90000000", "95000000", "99000000"))
    today = timezone.localdate()
    FrameworkCall.objects.create(
        tender=tender,
        max_suppliers=2,
        ceiling=Decimal("300000000"),
        start_date=today,
        end_date=today + timedelta(days=365),
        created_by=official,
        classification=Classification.objects.get(code="30200000"),
    )
    award = contract_services.award_propose(tender=tender, actor=official)
    with pytest.raises(InvalidTransition):  # still in standstill
        services.agreements_conclude(tender=tender, actor=official, bid_ids=[award.bid_id])
    with after_standstill(award):
        contract_services.award_finalise(award=award, actor=official)
    candidates = services.framework_candidates(tender)
    assert candidates[0].bid_id == award.bid_id
    with pytest.raises(Invalid):  # the awarded supplier must be in
        services.agreements_conclude(tender=tender, actor=official, bid_ids=[candidates[1].bid_id])
    with pytest.raises(Invalid):  # at most two
        services.agreements_conclude(tender=tender, actor=official, bid_ids=[c.bid_id for c in candidates])

    made = services.agreements_conclude(tender=tender, actor=official, bid_ids=[c.bid_id for c in candidates[:2]])

    assert [a.reference for a in made] == [f"{tender.reference}-F1", f"{tender.reference}-F2"]
    assert all(a.ceiling == Decimal("300000000") for a in made)
    tender.refresh_from_db()
    assert tender.status == Tender.Status.CONTRACTED
    assert AuditEntry.objects.filter(action="agreement.conclude").count() == 2
    assert Outbox.objects.filter(event="agreement.concluded", recipient=users[0]).exists()
    with pytest.raises(InvalidTransition):
        services.agreements_conclude(tender=tender, actor=official, bid_ids=[award.bid_id])


def test_an_item_is_seen_by_buyers_only_after_the_agency_approves_it(agreement, supplier_user, official):
    item = make_item(agreement, supplier_user, official, publish=False)
    assert item.status == CatalogueItem.Status.DRAFT
    services.item_submit(item=item, actor=supplier_user)
    assert Outbox.objects.filter(event="item.submitted", recipient=official).exists()
    services.item_review(item=item, actor=official, approve=False, reason="규격서 누락")
    item.refresh_from_db()
    assert item.status == CatalogueItem.Status.REJECTED
    with pytest.raises(Invalid):
        services.item_review(item=item, actor=official, approve=False, reason="")

    services.item_submit(item=item, actor=supplier_user)
    published = services.item_review(item=item, actor=official, approve=True)
    assert published.status == CatalogueItem.Status.PUBLISHED
    with pytest.raises(InvalidTransition):  # a published item is not edited in place
        services.item_update(
            item=published, actor=supplier_user, data=services.ItemData(name_ko="x", unit_price="1", regions=["seoul"])
        )


def test_a_supplier_cannot_touch_another_suppliers_catalogue(item, other_supplier_user, rival_agreement, official):
    data = services.ItemData(name_ko="위조 품목", unit_price="1", regions=["seoul"])
    with pytest.raises(Forbidden):
        services.item_create(agreement=item.agreement, actor=other_supplier_user, data=data)
    for attempt in (
        lambda: services.item_update(item=item, actor=other_supplier_user, data=data),
        lambda: services.item_stock_set(item=item, actor=other_supplier_user, stock=0),
        lambda: services.item_submit(item=item, actor=other_supplier_user),
        lambda: services.item_withdraw(item=item, actor=other_supplier_user, reason="x"),
        lambda: services.price_change_request(item=item, actor=other_supplier_user, new_price="1", reason="x"),
    ):
        with pytest.raises(Forbidden):
            attempt()
    item.refresh_from_db()
    assert (item.status, item.stock, item.unit_price) == (CatalogueItem.Status.PUBLISHED, 100, Decimal("1000000"))


def test_a_supplier_cannot_approve_its_own_item_nor_price(agreement, supplier_user, official):
    item = make_item(agreement, supplier_user, official, publish=False)
    services.item_submit(item=item, actor=supplier_user)
    with pytest.raises(Forbidden):
        services.item_review(item=item, actor=supplier_user, approve=True)


def test_officials_of_other_entities_cannot_review_the_agencys_items(
    agreement, supplier_user, official, rival_official
):
    item = make_item(agreement, supplier_user, official, publish=False)
    services.item_submit(item=item, actor=supplier_user)
    with pytest.raises(Forbidden):
        services.item_review(item=item, actor=rival_official, approve=True)


def test_price_changes_are_versioned_bounded_and_one_at_a_time(item, supplier_user, official):
    with pytest.raises(Invalid):  # +6 % > the agreement's 5 %
        services.price_change_request(item=item, actor=supplier_user, new_price="1060000", reason="인상")
    change = services.price_change_request(item=item, actor=supplier_user, new_price="1050000", reason="인상")
    with pytest.raises(Conflict):
        services.price_change_request(item=item, actor=supplier_user, new_price="1010000", reason="또")
    item.refresh_from_db()
    assert item.unit_price == Decimal("1000000")  # not before approval

    services.price_change_decide(change=change, actor=official, approve=True)
    second = services.price_change_request(item=item, actor=supplier_user, new_price="900000", reason="인하")
    services.price_change_decide(change=second, actor=official, approve=False, reason="근거 부족")

    item.refresh_from_db()
    assert (item.unit_price, item.price_version) == (Decimal("1050000"), 2)
    history = list(ItemPriceChange.objects.filter(item=item).order_by("requested_at").values_list("status", "version"))
    assert history == [("approved", 2), ("rejected", None)]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("unit_price", "0"),
        ("unit_price", "-1"),
        ("unit_price", "NaN"),
        ("stock", "-3"),
        ("regions", ["mars"]),
        ("regions", []),
        ("name_ko", "  "),
        ("lead_time_days", "9999"),
        ("certifications", ["bogus"]),
    ],
)
def test_bad_item_input_is_refused_naming_the_field(agreement, supplier_user, field, value):
    values = {"name_ko": "모니터", "unit_price": "300000", "regions": ["seoul"], field: value}
    with pytest.raises(Invalid) as refused:
        services.item_create(agreement=agreement, actor=supplier_user, data=services.ItemData(**values))
    assert refused.value.field == field


def test_an_item_outside_the_agreements_category_is_refused(agreement, supplier_user):
    furniture = Classification.objects.get(code="39000000")
    data = services.ItemData(name_ko="책상", unit_price="1", regions=["seoul"], classification=furniture)
    with pytest.raises(Invalid):
        services.item_create(agreement=agreement, actor=supplier_user, data=data)


def test_a_photo_must_be_an_image_and_a_spec_sheet_a_pdf(agreement, supplier_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake_photo = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image", content_type="image/png")
    data = services.ItemData(name_ko="모니터", unit_price="1", regions=["seoul"], photo=fake_photo)
    with pytest.raises(Invalid) as refused:
        services.item_create(agreement=agreement, actor=supplier_user, data=data)
    assert refused.value.field == "photo"


def test_a_suspended_agreement_stops_new_items_and_terminated_is_final(agreement, supplier_user, official):
    services.agreement_set_status(agreement=agreement, actor=official, to="suspended", reason="점검")
    with pytest.raises(Conflict):
        services.item_create(
            agreement=agreement,
            actor=supplier_user,
            data=services.ItemData(name_ko="모니터", unit_price="1", regions=["seoul"]),
        )
    services.agreement_set_status(agreement=agreement, actor=official, to="terminated", reason="계약 해지")
    with pytest.raises(InvalidTransition):
        services.agreement_set_status(agreement=agreement, actor=official, to="active", reason="복원")
    assert FrameworkAgreement.objects.get(pk=agreement.pk).status == "terminated"

"""Who acts for an entity, and for which company, is answered in one place and the same everywhere:
pages, rules and services of every app agree, and an official must have enrolled in MFA."""

import pytest

from bidding.models import Bid
from bidding.services import bid_withdraw
from contracts import services as contract_services
from procurement.errors import Forbidden
from procurement.roles import Role
from suppliers.models import SupplierMember
from suppliers.selectors import membership_for_user, supplier_for_user
from tenders import services as tender_services
from tenders.selectors import is_official_of, official_entity
from tests.bidding.helpers import close_and_open, published_tender, submit
from tests.conftest import enrol_totp
from tests.factories import OfficialFactory, SupplierMemberFactory, TenderFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def unenrolled_official(db):
    """An official of an entity who has not enrolled an authenticator yet."""
    return OfficialFactory(user__email="nomfa@agency.example").user


def test_an_official_without_mfa_acts_for_no_entity(unenrolled_official):
    entity_id = unenrolled_official.official.entity_id
    assert official_entity(unenrolled_official) is None
    assert not is_official_of(unenrolled_official, entity_id)
    enrol_totp(unenrolled_official)
    enrolled = type(unenrolled_official).objects.get(pk=unenrolled_official.pk)  # the next request
    assert official_entity(enrolled).pk == entity_id
    assert is_official_of(enrolled, entity_id)


def test_an_evaluator_with_an_official_record_does_not_act_for_the_entity(db):
    evaluator = OfficialFactory(user__role=Role.EVALUATOR).user
    enrol_totp(evaluator)
    assert official_entity(evaluator) is None


def test_an_official_of_another_entity_is_not_an_official_of_this_one(official):
    other = OfficialFactory().entity
    assert not is_official_of(official, other.pk)


def test_tender_services_refuse_an_official_without_mfa_as_forbidden(unenrolled_official):
    draft = TenderFactory(entity=unenrolled_official.official.entity, created_by=unenrolled_official)
    with pytest.raises(Forbidden):
        tender_services.tender_cancel(tender=draft, actor=unenrolled_official, reason="No longer needed")


def test_contract_services_refuse_an_official_without_mfa_as_forbidden(official):
    tender = published_tender(entity=official.official.entity, created_by=official)
    submit(tender, SupplierMemberFactory().user)
    close_and_open(tender)
    colleague = OfficialFactory(entity=official.official.entity).user  # not enrolled in MFA
    with pytest.raises(Forbidden):
        contract_services.evaluation_start(tender=tender, actor=colleague)
    assert contract_services.evaluation_start(tender=tender, actor=official) is not None


def test_a_membership_removed_a_moment_ago_no_longer_counts(supplier_user):
    assert supplier_for_user(supplier_user) is not None
    SupplierMember.objects.filter(user=supplier_user).delete()
    assert membership_for_user(supplier_user) is None
    assert supplier_for_user(supplier_user) is None
    assert not supplier_user.has_perm("bidding.submit_bid")


def test_a_member_of_another_company_cannot_withdraw_the_bid(official, supplier_user, other_supplier_user):
    tender = published_tender(entity=official.official.entity, created_by=official)
    bid = submit(tender, supplier_user).bid
    with pytest.raises(Forbidden):
        bid_withdraw(bid=bid, actor=other_supplier_user)
    assert Bid.objects.get(pk=bid.pk).status == Bid.Status.SUBMITTED


def test_anonymous_and_memberless_users_belong_to_no_company(outsider):
    from django.contrib.auth.models import AnonymousUser

    assert membership_for_user(AnonymousUser()) is None
    assert membership_for_user(outsider) is None
    assert membership_for_user(UserFactory(role=Role.OFFICIAL)) is None

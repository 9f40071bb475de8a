import pytest
from django.urls import reverse

from procurement.errors import DomainError
from procurement.models import AuditEntry, Outbox
from procurement.roles import Role
from suppliers.models import Classification, Supplier, SupplierMember
from suppliers.services import supplier_register, supplier_update
from tests.factories import SupplierFactory, UserFactory, valid_brn

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "name_ko": "가나다 주식회사",
        "name_en": "Ganada Co., Ltd.",
        "country": "KR",
        "registration_number": "124-81-00998",
        "representative": "김대표",
        "address": "서울특별시 중구 세종대로 110",
        "contact_email": "contact@ganada.example",
        "phone": "02-123-4567",
        "size_class": "sme",
        "classifications": [str(c.pk) for c in Classification.objects.filter(code__in=["30200000", "72200000"])],
    }
    data.update(overrides)
    return data


def service_data(**overrides):
    data = form_data(**overrides)
    data.pop("classifications")
    return data


def test_the_cpv_divisions_and_groups_are_shipped():
    assert Classification.objects.filter(scheme="CPV", parent__isnull=True).count() == 45
    assert Classification.objects.filter(scheme="CPV").count() == 317
    group = Classification.objects.get(code="30200000")
    assert group.title_en == "Computer equipment and supplies"
    assert group.title_ko == "컴퓨터 장비 및 소모품"
    assert group.parent.code == "30000000"


def test_a_supplier_user_registers_a_company_and_becomes_its_administrator(outsider, platform_admin):
    supplier = supplier_register(user=outsider, data=service_data(), classifications=[])
    assert supplier.status == Supplier.Status.PENDING
    assert supplier.registration_number == "1248100998"
    member = SupplierMember.objects.get(user=outsider)
    assert member.supplier == supplier
    assert member.role == SupplierMember.Role.ADMINISTRATOR
    assert AuditEntry.objects.filter(action="supplier.register", object_id=str(supplier.pk)).exists()
    # The vetting officers hear about it.
    assert Outbox.objects.filter(event="supplier.submitted", recipient=platform_admin).exists()
    assert supplier.status_changes.get().to_status == Supplier.Status.PENDING


def test_the_registration_form_creates_the_company_with_its_classifications(outsider, client_for):
    response = client_for(outsider).post(reverse("suppliers:register"), form_data())
    assert response.status_code == 302
    supplier = Supplier.objects.get(registration_number="1248100998")
    assert sorted(supplier.classifications.values_list("code", flat=True)) == ["30200000", "72200000"]
    assert supplier.contact_email == "contact@ganada.example"


def test_a_duplicate_registration_number_is_refused_with_a_field_error(outsider, client_for):
    SupplierFactory(registration_number="1248100998")
    response = client_for(outsider).post(reverse("suppliers:register"), form_data())
    assert response.status_code == 200
    errors = response.context["form"].errors["registration_number"]
    assert "already registered" in errors[0]
    assert not SupplierMember.objects.filter(user=outsider).exists()


def test_a_duplicate_written_differently_is_still_a_duplicate(outsider):
    SupplierFactory(registration_number="1248100998")
    with pytest.raises(DomainError) as exc:
        supplier_register(user=outsider, data=service_data(registration_number="124 81 00998"), classifications=[])
    assert exc.value.field == "registration_number"


def test_the_same_number_may_exist_in_another_country(outsider):
    SupplierFactory(country="JP", registration_number="1248100998")
    supplier = supplier_register(user=outsider, data=service_data(), classifications=[])
    assert (supplier.country, supplier.registration_number) == ("KR", "1248100998")


def test_a_wrong_check_digit_is_shown_next_to_the_number(outsider, client_for):
    response = client_for(outsider).post(reverse("suppliers:register"), form_data(registration_number="124-81-00997"))
    assert response.status_code == 200
    assert "check digit" in response.context["form"].errors["registration_number"][0]
    assert not Supplier.objects.exists()


def test_a_user_who_already_belongs_to_a_company_cannot_register_another(supplier_user):
    with pytest.raises(DomainError):
        supplier_register(user=supplier_user, data=service_data(), classifications=[])


def test_the_registration_page_sends_members_to_their_company(supplier_user, client_for):
    response = client_for(supplier_user).get(reverse("suppliers:register"))
    assert response.status_code == 302
    assert response["Location"] == reverse("suppliers:company")


def test_an_official_cannot_register_a_company(official, client_for):
    assert client_for(official).get(reverse("suppliers:register")).status_code == 403
    with pytest.raises(DomainError):
        supplier_register(user=official, data=service_data(), classifications=[])


def test_anonymous_visitors_are_asked_to_sign_in(client):
    response = client.get(reverse("suppliers:register"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_pending_company_may_correct_its_registration_number(outsider):
    supplier = supplier_register(user=outsider, data=service_data(), classifications=[])
    other = valid_brn(42)
    supplier_update(supplier=supplier, actor=outsider, data={"registration_number": other})
    supplier.refresh_from_db()
    assert supplier.registration_number == other
    assert AuditEntry.objects.filter(action="supplier.update", object_id=str(supplier.pk)).exists()


def test_an_approved_company_cannot_change_its_legal_identity(supplier_user, company):
    with pytest.raises(DomainError):
        supplier_update(supplier=company, actor=supplier_user, data={"name_ko": "새 이름"})


def test_an_approved_company_may_update_its_contact_details_and_classifications(supplier_user, company, client_for):
    data = form_data(
        name_ko=company.name_ko,
        name_en=company.name_en,
        registration_number=company.registration_number,
        phone="031-999-0000",
    )
    response = client_for(supplier_user).post(reverse("suppliers:company_edit"), data)
    assert response.status_code == 302, response.context["form"].errors
    company.refresh_from_db()
    assert company.phone == "031-999-0000"
    assert company.classifications.count() == 2


def test_a_bidder_cannot_edit_the_company_profile(company, client_for):
    bidder = UserFactory(role=Role.SUPPLIER)
    SupplierMember.objects.create(user=bidder, supplier=company, role=SupplierMember.Role.BIDDER)
    assert client_for(bidder).get(reverse("suppliers:company_edit")).status_code == 403


def test_the_classification_search_returns_an_html_fragment(client):
    response = client.get(reverse("suppliers:classification_search"), {"q": "302"})
    assert response.status_code == 200
    assert b"30200000" in response.content
    assert b"<html" not in response.content

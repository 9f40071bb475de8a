"""The debarment register: platform admins record and lift sanctions; everything is audited and told."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from procurement.errors import DomainError
from procurement.models import AuditEntry, Outbox
from suppliers.models import Sanction
from suppliers.services import sanction_lift, sanction_record
from tests.factories import SanctionFactory

pytestmark = pytest.mark.django_db


def sanction_form(**overrides):
    today = timezone.localdate()
    data = {
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=180)).isoformat(),
        "legal_ground": "국가를 당사자로 하는 계약에 관한 법률 제27조 제1항 제2호",
        "deciding_body": "조달청",
        "reason": "Submitted forged documents.",
    }
    data.update(overrides)
    return data


def test_a_platform_admin_records_a_sanction(platform_admin, company, supplier_user, client_for):
    response = client_for(platform_admin).post(reverse("suppliers:sanction_add", args=[company.pk]), sanction_form())
    assert response.status_code == 302
    sanction = Sanction.objects.get()
    assert (sanction.supplier, sanction.recorded_by, sanction.deciding_body) == (company, platform_admin, "조달청")
    entry = AuditEntry.objects.get(action="supplier.sanction_record")
    assert entry.data["supplier"] == company.pk
    assert Outbox.objects.filter(event="supplier.sanction_record", recipient=supplier_user).exists()


def test_a_sanction_cannot_end_before_it_starts(platform_admin, company, client_for):
    today = timezone.localdate()
    response = client_for(platform_admin).post(
        reverse("suppliers:sanction_add", args=[company.pk]),
        sanction_form(ends_on=(today - timedelta(days=1)).isoformat()),
    )
    assert response.status_code == 200
    assert "ends_on" in response.context["form"].errors
    with pytest.raises(DomainError):
        sanction_record(
            supplier=company,
            actor=platform_admin,
            starts_on=date(2027, 5, 2),
            ends_on=date(2027, 5, 1),
            legal_ground="x",
            reason="x",
            deciding_body="x",
        )
    assert not Sanction.objects.exists()


@pytest.mark.parametrize("who", ["auditor", "official", "supplier_user"])
def test_only_platform_admins_record_sanctions(request, who, company, client_for):
    user = request.getfixturevalue(who)
    response = client_for(user).post(reverse("suppliers:sanction_add", args=[company.pk]), sanction_form())
    assert response.status_code == 403
    with pytest.raises(DomainError):
        sanction_record(
            supplier=company,
            actor=user,
            starts_on=date(2027, 1, 1),
            ends_on=date(2027, 2, 1),
            legal_ground="x",
            reason="x",
            deciding_body="x",
        )
    assert not Sanction.objects.exists()


def test_a_platform_admin_lifts_a_sanction_with_a_reason(platform_admin, company, supplier_user, client_for):
    sanction = SanctionFactory(supplier=company)
    client_for(platform_admin).post(reverse("suppliers:sanction_lift", args=[sanction.pk]), {"lift-reason": "Stayed."})
    sanction.refresh_from_db()
    assert sanction.lifted_at is not None
    assert (sanction.lifted_reason, sanction.lifted_by) == ("Stayed.", platform_admin)
    assert AuditEntry.objects.filter(action="supplier.sanction_lift").exists()
    assert Outbox.objects.filter(event="supplier.sanction_lift", recipient=supplier_user).exists()


def test_a_sanction_is_lifted_once(platform_admin, company):
    sanction = SanctionFactory(supplier=company)
    sanction_lift(sanction=sanction, actor=platform_admin, reason="Stayed.")
    with pytest.raises(DomainError):
        sanction_lift(sanction=sanction, actor=platform_admin, reason="Again.")


def test_an_auditor_cannot_lift_a_sanction(auditor, company, client_for):
    sanction = SanctionFactory(supplier=company)
    response = client_for(auditor).post(reverse("suppliers:sanction_lift", args=[sanction.pk]), {"lift-reason": "x"})
    assert response.status_code == 403
    sanction.refresh_from_db()
    assert sanction.lifted_at is None


def test_the_admin_site_shows_companies_and_sanctions_to_platform_admins_only(
    platform_admin, supplier_user, company, client_for
):
    SanctionFactory(supplier=company)
    supplier_user.is_staff = True  # even a staff flag set by mistake does not open it to a supplier
    supplier_user.save(update_fields=["is_staff"])
    for url in ("/admin/suppliers/supplier/", "/admin/suppliers/sanction/", "/admin/suppliers/classification/"):
        assert client_for(platform_admin).get(url).status_code == 200
        assert client_for(supplier_user).get(url).status_code == 403
    # Sanctions are recorded on the vetting pages (audited and told), never added in the admin site.
    assert client_for(platform_admin).get("/admin/suppliers/sanction/add/").status_code == 403

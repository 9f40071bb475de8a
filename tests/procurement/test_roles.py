"""Role-aware navigation, deny-by-default permissions and MFA enforcement (invariant 5)."""

import pytest
from django.urls import reverse

from procurement.roles import Role
from tests.conftest import enrol_totp
from tests.factories import OfficialFactory, UserFactory


def nav_urls(client):
    return {item["url"] for item in client.get(reverse("home")).context["nav_items"]}


def test_anonymous_visitors_see_only_public_navigation(client, db):
    urls = nav_urls(client)
    assert reverse("audit_log") not in urls
    assert reverse("admin:index") not in urls


@pytest.mark.parametrize(
    ("person", "sees_audit_log", "sees_admin"),
    [
        ("supplier_user", False, False),
        ("official", False, False),
        ("auditor", True, False),
        ("platform_admin", True, True),
    ],
)
def test_each_role_sees_its_own_navigation(client, request, person, sees_audit_log, sees_admin):
    client.force_login(request.getfixturevalue(person))
    urls = nav_urls(client)
    assert (reverse("audit_log") in urls) is sees_audit_log
    assert (reverse("admin:index") in urls) is sees_admin


@pytest.mark.parametrize("person", ["supplier_user", "official", "outsider"])
def test_the_audit_log_is_forbidden_to_roles_without_it(client, request, person):
    client.force_login(request.getfixturevalue(person))
    assert client.get(reverse("audit_log")).status_code == 403
    assert client.get(reverse("api-audit-log")).status_code == 403


def test_the_audit_log_sends_anonymous_visitors_to_log_in(client, db):
    response = client.get(reverse("audit_log"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("person", ["auditor", "platform_admin"])
def test_auditors_and_admins_browse_and_filter_the_audit_log(client, request, person, official):
    from procurement.audit import audit_record

    audit_record(actor=official, action="tender.publish", object_type="tenders.tender", object_id="7")
    audit_record(actor=official, action="supplier.approve", object_type="suppliers.supplier", object_id="3")
    client.force_login(request.getfixturevalue(person))
    page = client.get(reverse("audit_log"), {"action": "tender"})
    assert [e.action for e in page.context["page_obj"]] == ["tender.publish"]
    api = client.get(reverse("api-audit-log"), {"object_type": "suppliers.supplier"})
    assert [e["action"] for e in api.json()["results"]] == ["supplier.approve"]


@pytest.mark.parametrize("person", ["supplier_user", "official", "auditor", "outsider"])
def test_the_admin_site_is_closed_to_everyone_but_platform_admins(client, request, person):
    client.force_login(request.getfixturevalue(person))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_platform_admins_may_not_edit_the_audit_log_even_in_the_admin_site(client, platform_admin, official):
    from procurement.audit import audit_record

    entry = audit_record(actor=official, action="tender.publish", object_type="tenders.tender", object_id="7")
    client.force_login(platform_admin)
    assert client.get(reverse("admin:procurement_auditentry_changelist")).status_code == 200
    assert (
        client.post(reverse("admin:procurement_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    )


@pytest.mark.parametrize("role", [Role.OFFICIAL, Role.EVALUATOR, Role.AUDITOR, Role.ADMIN])
def test_staff_roles_without_mfa_are_sent_to_enrol_before_anything_else(client, db, role):
    user = OfficialFactory(user__role=role).user
    client.force_login(user)
    response = client.get(reverse("notifications"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    assert client.get(reverse("api-me")).status_code == 403


def test_a_staff_role_without_mfa_holds_no_permission_at_all(db):
    auditor = UserFactory(role=Role.AUDITOR)
    assert not auditor.has_perm("procurement.view_audit_log")
    enrol_totp(auditor)
    del auditor._mfa_enrolled
    assert auditor.has_perm("procurement.view_audit_log")


def test_suppliers_need_no_mfa(client, supplier_user):
    client.force_login(supplier_user)
    assert client.get(reverse("notifications")).status_code == 200


def test_the_demo_setting_relaxes_mfa_only_where_set(client, db, settings):
    user = OfficialFactory().user
    client.force_login(user)
    settings.MFA_DEMO_RELAX = True
    assert client.get(reverse("notifications")).status_code == 200
    settings.MFA_DEMO_RELAX = False
    assert client.get(reverse("notifications")).status_code == 302


def test_the_api_tells_who_you_are(client, supplier_user):
    client.force_login(supplier_user)
    assert client.get(reverse("api-me")).json()["role"] == "supplier"
    client.logout()
    assert client.get(reverse("api-me")).status_code == 403


def test_only_the_most_specific_navigation_item_is_active(client, official):
    client.force_login(official)
    page = client.get(reverse("tenders:workspace"))
    assert [item["url"] for item in page.context["nav_items"] if item["active"]] == [reverse("tenders:workspace")]

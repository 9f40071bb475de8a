"""Every vetting transition (one test each), every refused one, and who may decide."""

import pytest
from django.urls import reverse

from procurement.errors import DomainError, InvalidTransition
from procurement.models import AuditEntry, Outbox
from suppliers.models import Supplier, SupplierMember
from suppliers.services import (
    supplier_approve,
    supplier_reinstate,
    supplier_reject,
    supplier_request_changes,
    supplier_resubmit,
    supplier_suspend,
)
from tests.factories import SupplierMemberFactory
from tests.suppliers.conftest import company_in

pytestmark = pytest.mark.django_db

S = Supplier.Status


def administrator(supplier):
    return supplier.members.get(role=SupplierMember.Role.ADMINISTRATOR).user


def decide(name, supplier, actor, reason="Please upload the 2026 tax certificate."):
    services = {
        "approve": lambda: supplier_approve(supplier=supplier, actor=actor),
        "reject": lambda: supplier_reject(supplier=supplier, actor=actor, reason=reason),
        "request_changes": lambda: supplier_request_changes(supplier=supplier, actor=actor, reason=reason),
        "suspend": lambda: supplier_suspend(supplier=supplier, actor=actor, reason=reason),
        "reinstate": lambda: supplier_reinstate(supplier=supplier, actor=actor),
        "resubmit": lambda: supplier_resubmit(supplier=supplier, actor=administrator(supplier)),
    }
    return services[name]()


def assert_recorded(supplier, action, *, previous, to, reason=""):
    entry = AuditEntry.objects.get(action=action, object_id=str(supplier.pk))
    assert entry.data["reason"] == reason
    assert entry.data["changes"]["status"] == {"from": previous, "to": to}
    change = supplier.status_changes.first()
    assert (change.from_status, change.to_status, change.reason) == (previous, to, reason)


def assert_company_told(supplier, event):
    members = set(supplier.members.values_list("user_id", flat=True))
    told = set(Outbox.objects.filter(event=event).values_list("recipient_id", flat=True))
    assert members
    assert members <= told


# --- each allowed transition ------------------------------------------------------------------------


def test_an_admin_approves_a_pending_company(platform_admin):
    supplier = company_in(S.PENDING)
    supplier = supplier_approve(supplier=supplier, actor=platform_admin)
    assert supplier.status == S.APPROVED
    assert supplier.approved_at is not None
    assert_recorded(supplier, "supplier.approve", previous=S.PENDING, to=S.APPROVED)
    assert_company_told(supplier, "supplier.approve")


def test_an_admin_rejects_a_pending_company_with_a_reason_it_sees(platform_admin):
    supplier = company_in(S.PENDING)
    supplier = supplier_reject(supplier=supplier, actor=platform_admin, reason="Not a registered business.")
    assert supplier.status == S.REJECTED
    assert supplier.status_reason == "Not a registered business."
    assert_recorded(supplier, "supplier.reject", previous=S.PENDING, to=S.REJECTED, reason="Not a registered business.")
    assert_company_told(supplier, "supplier.reject")
    assert "Not a registered business." in Outbox.objects.filter(event="supplier.reject").first().body


def test_an_admin_asks_a_pending_company_for_changes(platform_admin):
    supplier = company_in(S.PENDING)
    supplier = supplier_request_changes(supplier=supplier, actor=platform_admin, reason="Upload the certificate.")
    assert supplier.status == S.CHANGES_REQUESTED
    assert_recorded(
        supplier,
        "supplier.request_changes",
        previous=S.PENDING,
        to=S.CHANGES_REQUESTED,
        reason="Upload the certificate.",
    )
    assert_company_told(supplier, "supplier.request_changes")


def test_the_company_resubmits_after_making_the_changes(platform_admin):
    supplier = company_in(S.CHANGES_REQUESTED)
    before = supplier.submitted_at
    supplier = supplier_resubmit(supplier=supplier, actor=administrator(supplier))
    assert supplier.status == S.PENDING
    assert supplier.submitted_at > before
    assert_recorded(supplier, "supplier.resubmit", previous=S.CHANGES_REQUESTED, to=S.PENDING)
    # The vetting officers are told this time, not the company.
    assert Outbox.objects.filter(event="supplier.resubmit", recipient=platform_admin).exists()


def test_an_admin_suspends_an_approved_company(platform_admin):
    supplier = company_in(S.APPROVED)
    supplier = supplier_suspend(supplier=supplier, actor=platform_admin, reason="Under investigation.")
    assert supplier.status == S.SUSPENDED
    assert_recorded(supplier, "supplier.suspend", previous=S.APPROVED, to=S.SUSPENDED, reason="Under investigation.")
    assert_company_told(supplier, "supplier.suspend")


def test_an_admin_reinstates_a_suspended_company(platform_admin):
    supplier = company_in(S.SUSPENDED)
    supplier = supplier_reinstate(supplier=supplier, actor=platform_admin)
    assert supplier.status == S.APPROVED
    assert_recorded(supplier, "supplier.reinstate", previous=S.SUSPENDED, to=S.APPROVED)
    assert_company_told(supplier, "supplier.reinstate")


# --- each refused transition ------------------------------------------------------------------------

REFUSED = [
    (decision, status)
    for decision, allowed_from in {
        "approve": {S.PENDING},
        "reject": {S.PENDING},
        "request_changes": {S.PENDING},
        "suspend": {S.APPROVED},
        "reinstate": {S.SUSPENDED},
        "resubmit": {S.CHANGES_REQUESTED},
    }.items()
    for status in S.values
    if status not in allowed_from
]


@pytest.mark.parametrize(("decision", "status"), REFUSED, ids=[f"{d}-from-{s}" for d, s in REFUSED])
def test_a_decision_the_lifecycle_does_not_allow_is_refused_and_changes_nothing(platform_admin, decision, status):
    supplier = company_in(status)
    audit_before, outbox_before = AuditEntry.objects.count(), Outbox.objects.count()
    with pytest.raises(InvalidTransition):
        decide(decision, supplier, platform_admin)
    supplier.refresh_from_db()
    assert supplier.status == status
    assert AuditEntry.objects.count() == audit_before
    assert Outbox.objects.count() == outbox_before
    assert not supplier.status_changes.exists()


@pytest.mark.parametrize("decision", ["reject", "request_changes", "suspend"])
def test_a_decision_the_company_must_understand_needs_a_reason(platform_admin, decision):
    supplier = company_in(S.APPROVED if decision == "suspend" else S.PENDING)
    with pytest.raises(DomainError) as exc:
        decide(decision, supplier, platform_admin, reason="   ")
    assert exc.value.field == "reason"
    supplier.refresh_from_db()
    assert supplier.status in (S.APPROVED, S.PENDING)


# --- the pages ----------------------------------------------------------------------------------------


def test_the_queue_shows_waiting_companies_oldest_first(platform_admin, client_for, company):
    first, second = company_in(S.PENDING), company_in(S.PENDING)
    response = client_for(platform_admin).get(reverse("suppliers:vetting_queue"))
    assert response.status_code == 200
    assert list(response.context["page_obj"]) == [first, second]


def test_the_queue_filters_by_status_and_name(platform_admin, client_for, company):
    company_in(S.PENDING)
    client = client_for(platform_admin)
    response = client.get(reverse("suppliers:vetting_queue"), {"status": "approved", "q": company.name_en})
    assert list(response.context["page_obj"]) == [company]
    response = client.get(reverse("suppliers:vetting_queue"), {"status": ""})
    assert company in response.context["page_obj"]


def test_an_admin_approves_from_the_vetting_page(platform_admin, client_for):
    supplier = company_in(S.PENDING)
    client = client_for(platform_admin)
    page = client.get(reverse("suppliers:vetting_detail", args=[supplier.pk]))
    assert [d["name"] for d in page.context["decisions"]] == ["approve", "request_changes", "reject"]
    response = client.post(reverse("suppliers:vetting_decide", args=[supplier.pk, "approve"]))
    assert response.status_code == 302
    supplier.refresh_from_db()
    assert supplier.status == S.APPROVED


def test_a_rejection_from_the_page_carries_its_reason(platform_admin, client_for):
    supplier = company_in(S.PENDING)
    client_for(platform_admin).post(
        reverse("suppliers:vetting_decide", args=[supplier.pk, "reject"]), {"reject-reason": "Fake company."}
    )
    supplier.refresh_from_db()
    assert (supplier.status, supplier.status_reason) == (S.REJECTED, "Fake company.")


def test_a_refused_decision_on_the_page_shows_a_message_and_changes_nothing(platform_admin, client_for):
    supplier = company_in(S.APPROVED)
    response = client_for(platform_admin).post(
        reverse("suppliers:vetting_decide", args=[supplier.pk, "approve"]), follow=True
    )
    assert "cannot go from" in str(next(iter(response.context["messages"])))
    supplier.refresh_from_db()
    assert supplier.status == S.APPROVED


def test_an_auditor_reads_the_queue_but_cannot_decide(auditor, client_for):
    supplier = company_in(S.PENDING)
    client = client_for(auditor)
    assert client.get(reverse("suppliers:vetting_queue")).status_code == 200
    page = client.get(reverse("suppliers:vetting_detail", args=[supplier.pk]))
    assert page.status_code == 200
    assert page.context["decisions"] == []
    assert client.post(reverse("suppliers:vetting_decide", args=[supplier.pk, "approve"])).status_code == 403
    supplier.refresh_from_db()
    assert supplier.status == S.PENDING


def test_suppliers_and_officials_cannot_reach_vetting(supplier_user, official, client_for):
    supplier = company_in(S.PENDING)
    for user in (supplier_user, official):
        client = client_for(user)
        assert client.get(reverse("suppliers:vetting_queue")).status_code == 403
        assert client.post(reverse("suppliers:vetting_decide", args=[supplier.pk, "approve"])).status_code == 403


def test_a_company_administrator_resubmits_from_the_company_page(client_for):
    supplier = company_in(S.CHANGES_REQUESTED)
    bidder = SupplierMemberFactory(supplier=supplier, role=SupplierMember.Role.BIDDER).user
    assert client_for(bidder).post(reverse("suppliers:company_resubmit")).status_code == 403
    client_for(administrator(supplier)).post(reverse("suppliers:company_resubmit"))
    supplier.refresh_from_db()
    assert supplier.status == S.PENDING


def test_the_company_sees_its_status_and_the_reason(client_for, platform_admin):
    supplier = company_in(S.PENDING)
    supplier_request_changes(supplier=supplier, actor=platform_admin, reason="The address does not match.")
    response = client_for(administrator(supplier)).get(reverse("suppliers:company"))
    assert response.status_code == 200
    assert b"The address does not match." in response.content
    assert b"Send back for vetting" in response.content

"""A company's people: invitations by email, one company per user, administrators manage."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from procurement.errors import DomainError
from procurement.models import AuditEntry, Outbox
from procurement.roles import Role
from suppliers.models import SupplierInvitation, SupplierMember
from suppliers.services import (
    invitation_accept,
    invitations_accept_for_user,
    member_invite,
    member_remove,
    member_set_role,
)
from tests.factories import PASSWORD, SupplierMemberFactory, UserFactory

pytestmark = pytest.mark.django_db

BIDDER = SupplierMember.Role.BIDDER
ADMIN = SupplierMember.Role.ADMINISTRATOR


def test_an_administrator_invites_a_colleague_by_email(supplier_user, company, client_for):
    response = client_for(supplier_user).post(
        reverse("suppliers:members"), {"email": "Bea@Supplier.example", "role": BIDDER}
    )
    assert response.status_code == 302
    invitation = SupplierInvitation.objects.get()
    assert (invitation.email, invitation.role, invitation.supplier) == ("bea@supplier.example", BIDDER, company)
    assert AuditEntry.objects.filter(action="supplier.member_invite").exists()


def test_an_address_without_an_account_gets_the_invitation_by_mail(
    supplier_user, company, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = member_invite(supplier=company, actor=supplier_user, email="new@colleague.example", role=BIDDER)
    [message] = [m for m in mail.outbox if "new@colleague.example" in m.to]
    assert invitation.get_absolute_url() in message.body


def test_an_existing_account_is_told_through_the_outbox(supplier_user, company, outsider):
    member_invite(supplier=company, actor=supplier_user, email=outsider.email, role=BIDDER)
    assert Outbox.objects.filter(event="supplier.member_invite", recipient=outsider).exists()


def test_the_invited_user_joins_when_they_sign_in(supplier_user, company, outsider, client):
    member_invite(supplier=company, actor=supplier_user, email=outsider.email, role=BIDDER)
    response = client.post(reverse("account_login"), {"login": outsider.email, "password": PASSWORD})
    assert response.status_code == 302
    membership = SupplierMember.objects.get(user=outsider)
    assert (membership.supplier, membership.role) == (company, BIDDER)
    assert SupplierInvitation.objects.get().accepted_by == outsider
    assert AuditEntry.objects.filter(action="supplier.member_join").exists()
    assert Outbox.objects.filter(event="supplier.member_join", recipient=supplier_user).exists()


def test_an_unverified_address_does_not_join(supplier_user, company):
    user = UserFactory(email="unverified@example.org")
    EmailAddress.objects.filter(user=user).update(verified=False)
    member_invite(supplier=company, actor=supplier_user, email=user.email, role=BIDDER)
    assert invitations_accept_for_user(user=user) is None
    assert not SupplierMember.objects.filter(user=user).exists()


def test_someone_else_cannot_use_the_invitation_link(supplier_user, company, outsider, client_for):
    invitation = member_invite(supplier=company, actor=supplier_user, email="intended@example.org", role=BIDDER)
    response = client_for(outsider).post(invitation.get_absolute_url(), follow=True)
    assert response.status_code == 200
    assert not SupplierMember.objects.filter(user=outsider).exists()


def test_the_invitation_link_accepts_for_the_invited_address(supplier_user, company, outsider, client_for):
    invitation = member_invite(supplier=company, actor=supplier_user, email=outsider.email, role=ADMIN)
    response = client_for(outsider).post(invitation.get_absolute_url())
    assert response.status_code == 302
    assert SupplierMember.objects.get(user=outsider).role == ADMIN


def test_a_user_can_belong_to_one_company_only(supplier_user, company, other_supplier_user):
    with pytest.raises(DomainError):
        member_invite(supplier=company, actor=supplier_user, email=other_supplier_user.email, role=BIDDER)


def test_an_invitation_is_not_accepted_by_someone_who_joined_another_company_since(
    supplier_user, company, other_supplier_user, rival
):
    outsider = UserFactory(email="double@example.org")
    invitation = member_invite(supplier=company, actor=supplier_user, email=outsider.email, role=BIDDER)
    SupplierMember.objects.create(user=outsider, supplier=rival, role=BIDDER)
    with pytest.raises(DomainError):
        invitation_accept(invitation=invitation, user=outsider)
    assert SupplierMember.objects.get(user=outsider).supplier == rival


def test_officials_cannot_be_invited(supplier_user, company):
    official = UserFactory(role=Role.OFFICIAL)
    with pytest.raises(DomainError):
        member_invite(supplier=company, actor=supplier_user, email=official.email, role=BIDDER)


def test_inviting_again_replaces_the_open_invitation(supplier_user, company):
    first = member_invite(supplier=company, actor=supplier_user, email="x@example.org", role=BIDDER)
    second = member_invite(supplier=company, actor=supplier_user, email="x@example.org", role=ADMIN)
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.is_open


def test_a_withdrawn_invitation_cannot_be_accepted(supplier_user, company, outsider, client_for):
    invitation = member_invite(supplier=company, actor=supplier_user, email=outsider.email, role=BIDDER)
    client_for(supplier_user).post(reverse("suppliers:invitation_revoke", args=[invitation.pk]))
    with pytest.raises(DomainError):
        invitation_accept(invitation=invitation, user=outsider)


def test_only_administrators_manage_members(company, client_for):
    bidder = SupplierMemberFactory(supplier=company, role=BIDDER).user
    client = client_for(bidder)
    assert client.get(reverse("suppliers:members")).status_code == 200
    assert client.post(reverse("suppliers:members"), {"email": "a@b.example", "role": BIDDER}).status_code == 403
    other = SupplierMemberFactory(supplier=company, role=BIDDER)
    assert client.post(reverse("suppliers:member_remove", args=[other.pk])).status_code == 404
    with pytest.raises(DomainError):
        member_invite(supplier=company, actor=bidder, email="a@b.example", role=BIDDER)


def test_an_administrator_of_another_company_cannot_touch_our_members(company, other_supplier_user, client_for):
    member = SupplierMemberFactory(supplier=company, role=BIDDER)
    client = client_for(other_supplier_user)
    assert client.post(reverse("suppliers:member_remove", args=[member.pk])).status_code == 404
    assert client.post(reverse("suppliers:member_role", args=[member.pk]), {"role": ADMIN}).status_code == 404
    assert SupplierMember.objects.get(pk=member.pk).role == BIDDER


def test_an_administrator_changes_a_role_and_removes_a_member(supplier_user, company, client_for):
    member = SupplierMemberFactory(supplier=company, role=BIDDER)
    client = client_for(supplier_user)
    client.post(reverse("suppliers:member_role", args=[member.pk]), {"role": ADMIN})
    assert SupplierMember.objects.get(pk=member.pk).role == ADMIN
    client.post(reverse("suppliers:member_remove", args=[member.pk]))
    assert not SupplierMember.objects.filter(pk=member.pk).exists()
    assert Outbox.objects.filter(event="supplier.member_remove", recipient=member.user).exists()
    assert AuditEntry.objects.filter(action="supplier.member_remove").exists()


def test_the_last_administrator_cannot_leave_or_step_down(supplier_user, company):
    membership = supplier_user.supplier_membership
    with pytest.raises(DomainError):
        member_remove(member=membership, actor=supplier_user)
    with pytest.raises(DomainError):
        member_set_role(member=membership, actor=supplier_user, role=BIDDER)
    assert SupplierMember.objects.get(pk=membership.pk).role == ADMIN


def test_a_removed_member_may_register_a_new_company(supplier_user, company, client_for):
    member = SupplierMemberFactory(supplier=company, role=BIDDER)
    member_remove(member=member, actor=supplier_user)
    assert client_for(member.user).get(reverse("suppliers:register")).status_code == 200

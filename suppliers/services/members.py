"""A company's people: invitations by email, roles, removal. Only its administrators manage them."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from procurement.audit import audit_record
from procurement.errors import Conflict, DomainError, Forbidden, Invalid
from procurement.models import User
from procurement.notifications import notify
from procurement.roles import Role

from ..models import Supplier, SupplierInvitation, SupplierMember
from ..selectors import invitations_open_for_email
from ._common import company_administrators, lock_supplier

logger = logging.getLogger(__name__)


def _require_administrator(supplier: Supplier, actor) -> None:
    # The views check the permission too; the service does not trust its caller.
    if not SupplierMember.objects.filter(
        supplier=supplier, user=actor, role=SupplierMember.Role.ADMINISTRATOR
    ).exists():
        raise Forbidden(_("Only the company's administrators can manage its members."))


def _send_invitation_mail(invitation_id: int) -> None:
    """Mail to an address with no account yet (the outbox only knows users). Failures are logged;
    the administrator also sees the invitation link on the members page and can pass it on."""
    invitation = SupplierInvitation.objects.select_related("supplier", "invited_by").get(pk=invitation_id)
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "invitation": invitation,
            "supplier": invitation.supplier,
            "link": invitation.get_absolute_url(),
            "site_url": settings.SITE_URL,
        }
        subject = " ".join(render_to_string("emails/supplier_invitation_subject.txt", context).split())
        body = render_to_string("emails/supplier_invitation_body.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
    except Exception:
        logger.warning("Invitation %s could not be mailed.", invitation_id, exc_info=True)


def member_invite(*, supplier: Supplier, actor, email: str, role: str) -> SupplierInvitation:
    """Invite a colleague by email. Inviting the same address again replaces the open invitation."""
    email = User.objects.normalize_email(email).strip().lower()
    if role not in SupplierMember.Role.values:
        raise Invalid(_("Choose a role."), field="role")
    with transaction.atomic():
        supplier = lock_supplier(supplier.pk)
        _require_administrator(supplier, actor)
        existing_user = User.objects.filter(email__iexact=email).first()
        if existing_user is not None and hasattr(existing_user, "supplier_membership"):
            if existing_user.supplier_membership.supplier_id == supplier.pk:
                raise Invalid(_("This person is already a member of the company."), field="email")
            raise Invalid(
                _("This person already belongs to another company; a user can belong to one company only."),
                field="email",
            )
        if existing_user is not None and existing_user.role != Role.SUPPLIER:
            raise Invalid(_("Only supplier accounts can join a company."), field="email")
        supplier.invitations.filter(email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        invitation = SupplierInvitation.objects.create(supplier=supplier, email=email, role=role, invited_by=actor)
        audit_record(actor=actor, action="supplier.member_invite", obj=supplier, data={"email": email, "role": role})
        if existing_user is not None:
            notify(
                event="supplier.member_invite",
                recipients=[existing_user],
                template="supplier_invitation",
                context={"invitation": invitation, "supplier": supplier},
                link=invitation.get_absolute_url(),
            )
        else:
            transaction.on_commit(lambda: _send_invitation_mail(invitation.pk))
    return invitation


def invitation_revoke(*, invitation: SupplierInvitation, actor) -> SupplierInvitation:
    with transaction.atomic():
        lock_supplier(invitation.supplier_id)
        _require_administrator(invitation.supplier, actor)
        invitation = SupplierInvitation.objects.get(pk=invitation.pk)
        if invitation.accepted_at is not None or invitation.revoked_at is not None:
            raise Conflict(_("This invitation is no longer open."))
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor, action="supplier.invitation_revoke", obj=invitation.supplier, data={"email": invitation.email}
        )
    return invitation


def _email_verified(user, email: str) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def invitation_accept(*, invitation: SupplierInvitation, user) -> SupplierMember:
    """`user` joins the inviting company. Only for the invited address, once it is verified."""
    with transaction.atomic():
        lock_supplier(invitation.supplier_id)
        invitation = SupplierInvitation.objects.select_for_update().select_related("supplier").get(pk=invitation.pk)
        if not invitation.is_open:
            raise Conflict(_("This invitation has expired or was withdrawn. Ask for a new one."))
        if invitation.email.lower() != user.email.lower() or not _email_verified(user, invitation.email):
            raise Forbidden(_("This invitation is for another email address."))
        if user.role != Role.SUPPLIER:
            raise Forbidden(_("Only supplier accounts can join a company."))
        if SupplierMember.objects.filter(user=user).exists():
            raise Conflict(_("You already belong to a company. A user can belong to one company only."))
        try:
            with transaction.atomic():
                member = SupplierMember.objects.create(user=user, supplier=invitation.supplier, role=invitation.role)
        except IntegrityError as exc:
            raise Conflict(_("You already belong to a company. A user can belong to one company only.")) from exc
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(
            actor=user,
            action="supplier.member_join",
            obj=invitation.supplier,
            data={"email": user.email, "role": member.role, "invitation": invitation.pk},
        )
        notify(
            event="supplier.member_join",
            recipients=[u for u in company_administrators(invitation.supplier) if u.pk != user.pk],
            template="supplier_member_joined",
            context={"supplier": invitation.supplier, "member": member},
            link=reverse("suppliers:members"),
        )
    return member


def invitations_accept_for_user(*, user) -> SupplierMember | None:
    """On sign-in or email confirmation: join the company that invited this (verified) address, if any."""
    if user.role != Role.SUPPLIER or SupplierMember.objects.filter(user=user).exists():
        return None
    for invitation in invitations_open_for_email(user.email).order_by("-created_at"):
        try:
            return invitation_accept(invitation=invitation, user=user)
        except DomainError:
            continue
    return None


def _guard_last_administrator(member: SupplierMember) -> None:
    others = SupplierMember.objects.filter(
        supplier_id=member.supplier_id, role=SupplierMember.Role.ADMINISTRATOR
    ).exclude(pk=member.pk)
    if member.is_administrator and not others.exists():
        raise Conflict(_("A company needs at least one administrator. Make someone else administrator first."))


def member_set_role(*, member: SupplierMember, actor, role: str) -> SupplierMember:
    if role not in SupplierMember.Role.values:
        raise Invalid(_("Choose a role."), field="role")
    with transaction.atomic():
        lock_supplier(member.supplier_id)
        member = SupplierMember.objects.select_related("supplier", "user").get(pk=member.pk)
        _require_administrator(member.supplier, actor)
        if member.role == role:
            return member
        if role != SupplierMember.Role.ADMINISTRATOR:
            _guard_last_administrator(member)
        previous = member.role
        member.role = role
        member.save(update_fields=["role"])
        audit_record(
            actor=actor,
            action="supplier.member_role",
            obj=member.supplier,
            data={"email": member.user.email, "changes": {"role": {"from": previous, "to": role}}},
        )
    return member


def member_remove(*, member: SupplierMember, actor) -> None:
    with transaction.atomic():
        lock_supplier(member.supplier_id)
        member = SupplierMember.objects.select_related("supplier", "user").get(pk=member.pk)
        _require_administrator(member.supplier, actor)
        _guard_last_administrator(member)
        supplier, user = member.supplier, member.user
        member.delete()
        audit_record(
            actor=actor, action="supplier.member_remove", obj=supplier, data={"email": user.email, "role": member.role}
        )
        notify(
            event="supplier.member_remove",
            recipients=[user],
            template="supplier_member_removed",
            context={"supplier": supplier},
            link="/",
        )

"""Account events from allauth: recorded in the audit log; sign-up also sends a welcome."""

from allauth.account.signals import password_changed, password_reset, user_logged_in, user_signed_up
from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.db import transaction
from django.dispatch import receiver

from .audit import audit_record
from .notifications import notify


@receiver(user_signed_up)
def on_signed_up(sender, request, user, **kwargs):
    with transaction.atomic():
        audit_record(actor=user, action="account.sign_up", obj=user, data={"email": user.email})
        notify(event="account.welcome", recipients=[user], template="welcome", link="/")


@receiver(user_logged_in)
def on_logged_in(sender, request, user, **kwargs):
    audit_record(actor=user, action="account.log_in", obj=user)


@receiver(password_changed)
@receiver(password_reset)
def on_password_changed(sender, request, user, **kwargs):
    audit_record(actor=user, action="account.password_change", obj=user)


@receiver(authenticator_added)
@receiver(authenticator_removed)
def on_authenticator_changed(sender, request, user, authenticator, **kwargs):
    added = kwargs.get("signal") is authenticator_added
    audit_record(
        actor=user,
        action="account.mfa_added" if added else "account.mfa_removed",
        obj=user,
        data={"type": authenticator.type},
    )

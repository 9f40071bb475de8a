"""Account events: a user whose verified address was invited joins that company when they sign in."""

from allauth.account.signals import email_confirmed, user_logged_in
from django.dispatch import receiver

from .services import invitations_accept_for_user


@receiver(user_logged_in)
def join_invited_company_on_login(sender, request, user, **kwargs):
    invitations_accept_for_user(user=user)


@receiver(email_confirmed)
def join_invited_company_on_confirmation(sender, request, email_address, **kwargs):
    if email_address.user_id:
        invitations_accept_for_user(user=email_address.user)

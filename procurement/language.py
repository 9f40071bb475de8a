"""The user's language, remembered on the account so that notifications and mail use it too.

A visitor picks a language with the switch in the header (a cookie). Once signed in, the choice is
also stored on the account: the notifications outbox renders each message in its recipient's
stored language, long after the request that caused it.
"""

from allauth.account.signals import user_logged_in, user_signed_up
from django.conf import settings
from django.dispatch import receiver
from django.utils.translation import check_for_language, get_language_from_request
from django.views.i18n import set_language as django_set_language


def _remember(user, code: str | None) -> None:
    known = {code for code, _ in settings.LANGUAGES}
    if user is None or not user.is_authenticated or code not in known or user.language == code:
        return
    user.language = code
    user.save(update_fields=["language"])


def set_language(request):
    """Django's language switch, which also stores the choice on a signed-in user's account."""
    response = django_set_language(request)
    code = request.POST.get("language")
    if request.method == "POST" and code and check_for_language(code):
        _remember(request.user, code)
    return response


def _explicit_choice(request) -> str | None:
    return request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) if request is not None else None


@receiver(user_signed_up)
def on_signed_up(sender, request, user, **kwargs):
    # Connected before the welcome mail's receiver (see apps.py), so the welcome is in this language.
    _remember(user, get_language_from_request(request) if request is not None else None)


@receiver(user_logged_in)
def on_logged_in(sender, request, user, **kwargs):
    _remember(user, _explicit_choice(request))

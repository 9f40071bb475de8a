"""Re-authentication before signing, through allauth's own flow (with MFA where the user enrolled).

allauth's `reauthentication_required` accepts any recent re-authentication and sends people to the
password form first. For a signature we want more: a user with an authenticator must confirm with
it (a password alone is not enough), so this decorator looks at the session's authentication
records itself and sends the user to `mfa_reauthenticate` or `account_reauthenticate` accordingly.
allauth brings them back to the same page afterwards (a suspended POST is replayed).
"""

import time
from functools import wraps

from allauth.account import app_settings as account_settings
from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.internal.flows.reauthentication import suspend_request
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from procurement.roles import mfa_enrolled


def recent_reauthentication(request) -> str | None:
    """'mfa' or 'password' if the user re-authenticated within allauth's timeout (MFA if enrolled)."""
    user = request.user
    if not user.is_authenticated:
        return None
    records = [r for r in get_authentication_records(request, user) if r.get("reauthenticated")]
    if not records:
        return None
    latest = records[-1]
    if time.time() - latest.get("at", 0) >= account_settings.REAUTHENTICATION_TIMEOUT:
        return None
    method = latest.get("method", "")
    if mfa_enrolled(user) and method != "mfa":
        return None
    return method


def reauthentication_for_signing(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        method = recent_reauthentication(request)
        if method is None:
            target = "mfa_reauthenticate" if mfa_enrolled(request.user) else "account_reauthenticate"
            return suspend_request(request, reverse(target))
        request.reauthenticated_with = method
        return view(request, *args, **kwargs)

    return wrapper

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .api import error_body
from .inputs import refused_text
from .roles import mfa_missing

# Paths a user without MFA may still reach: enrolment itself, logout, language, health, assets.
_EXEMPT_PREFIXES = ("/accounts/", "/i18n/", "/healthz", "/static/", "/media/")


class RequireMFAMiddleware:
    """Officials, evaluators, auditors and admins must enrol in TOTP before they can act."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(_EXEMPT_PREFIXES) and mfa_missing(request.user):
            message = _("Your role requires two-factor authentication. Set up an authenticator app to continue.")
            if request.path.startswith("/api/"):
                return JsonResponse(error_body(detail=message, code="mfa_required"), status=403)
            messages.warning(request, message)
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class PortalNotFoundPageMiddleware:
    """With DEBUG, Django answers an unknown address with its technical 404 page (the URL patterns,
    the settings module); people trying the portal in development should see the portal's own page.
    Without DEBUG Django renders templates/404.html by itself and this does nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and response.get("Content-Type", "").startswith("text/html")
            and not getattr(response, "portal_page", False)
        ):
            response = render(request, "404.html", status=404)
            response.portal_page = True
        return response


# Longer than any search phrase, filter value or `next` address the portal makes.
QUERY_VALUE_MAX_CHARS = 1000


class QueryParameterGuardMiddleware:
    """Every search and filter parameter, and the path, is checked once here: characters the
    database refuses or an over-long value answer 400 with a clear message instead of reaching a
    query (where a NUL byte is a 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = self._problem(request)
        if problem is None:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(error_body(detail=problem, code="invalid_parameter"), status=400)
        return render(request, "400.html", {"problem": problem}, status=400)

    @staticmethod
    def _problem(request) -> str | None:
        if refused_text(request.path):
            return _("The address contains characters that are not allowed.")
        for key, values in request.GET.lists():
            if len(key) > QUERY_VALUE_MAX_CHARS or refused_text(key):
                return _("The address contains a parameter that is not allowed.")
            for value in values:
                if refused_text(value):
                    return _("The value of “%(name)s” contains characters that are not allowed.") % {"name": key}
                if len(value) > QUERY_VALUE_MAX_CHARS:
                    return _("The value of “%(name)s” is longer than %(n)s characters.") % {
                        "name": key,
                        "n": QUERY_VALUE_MAX_CHARS,
                    }
        return None

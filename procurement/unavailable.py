"""The database is unreachable: answer 503 with Retry-After, never a bare 500.

A PostgreSQL restart or failover makes every query raise OperationalError (or InterfaceError on a
connection that died under us). That is not a bug in the request but a moment of unavailability:
clients — bidders' browsers and systems above all — must learn to retry, and a retried bid is safe
(its idempotency key returns the first receipt). Django reconnects by itself on the next request
(CONN_HEALTH_CHECKS), so the portal recovers without a restart. Each such answer is counted for the
health history (procurement.healthlog), which can postpone deadlines (docs/architecture.md §9).
"""

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.defaults import server_error as django_server_error

from . import healthlog

logger = logging.getLogger(__name__)

UNAVAILABLE = (OperationalError, InterfaceError)


# SQLSTATEs of a lost or refused connection: class 08, and the server shutting down or starting.
_CONNECTION_STATES = ("57P01", "57P02", "57P03")


def is_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, UNAVAILABLE)


def lost_connection(exc: BaseException) -> bool:
    """The database could not be reached, as opposed to one statement failing (a deadlock, a
    timeout): only the first is evidence of an outage for the health history. Both answer 503,
    since retrying is right for either."""
    code = getattr(exc.__cause__, "pgcode", None) or getattr(exc, "pgcode", None)
    return code is None or code.startswith("08") or code in _CONNECTION_STATES


def unavailable_response(request, exc: BaseException | None = None) -> HttpResponse:
    if exc is None or lost_connection(exc):
        healthlog.web_unavailable_note()
    retry_after = str(settings.DATABASE_UNAVAILABLE_RETRY_AFTER)
    message = _(
        "The portal cannot reach its database for a moment. Nothing was lost; try again in a few seconds. "
        "A bid counts once you have its receipt, and sending the same form again never makes a second bid."
    )
    if request is not None and request.path.startswith("/api/"):
        from .api import error_body

        response = JsonResponse(error_body(detail=message, code="temporarily_unavailable"), status=503)
    else:
        # Standalone like 500.html: no context processors, no user, nothing that needs the database.
        response = HttpResponse(loader.render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = retry_after
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Turns a lost database in a view into 503 (a lost database in a middleware reaches
    `server_error` below, Django's handler500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_unavailable(exception):
            logger.warning("Database unavailable (%s): answered 503.", type(exception).__name__)
            return unavailable_response(request, exception)
        return None


def server_error(request, template_name="500.html"):
    """handler500: Django calls it inside the `except` of the failed request."""
    exc = sys.exc_info()[1]
    if is_unavailable(exc):
        return unavailable_response(request, exc)
    return django_server_error(request, template_name)

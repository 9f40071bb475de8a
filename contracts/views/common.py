"""What the contracts pages share."""

from django.contrib import messages
from django.http import HttpResponse

from procurement.errors import DomainError


def run_action(request, back: HttpResponse, action, success: str) -> HttpResponse:
    """Run a button's service call; a refusal becomes the error message, then go `back`."""
    try:
        action()
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return back

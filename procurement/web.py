"""What every app's pages share: one way to show a service's refusal to a person.

A service refuses with a `DomainError` subclass (procurement.errors). On a page that refusal
becomes an error next to the form field it names (or above the form), or an error message.
"""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse

from .errors import DomainError


def form_add_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Show a refusal next to the field it names; several field errors (`exc.errors`) each at theirs."""
    if not hasattr(form, "cleaned_data"):
        form.cleaned_data = {}  # an unbound form showing the refusal of what is stored
    errors = getattr(exc, "errors", None) or {exc.field: exc.message}
    for key, message in errors.items():
        # A tender's parameters arrive as `evaluation_params.<field>`; the form has the bare field.
        field = key.split(".", 1)[1] if key and key.startswith("evaluation_params.") else key
        form.add_error(field if field in form.fields else None, str(message))


class refusal:
    """Catch a service's refusal inside the block: it becomes an error on `form` when one is given
    (a form, or a callable that places the error itself), else an error message on `request`.
    True after a refusal, so the view knows not to go on:

        with refusal(request, form) as refused:
            services.thing_do(...)
        if not refused:
            return redirect(...)
    """

    def __init__(self, request: HttpRequest, form: forms.BaseForm | Callable[[DomainError], None] | None = None):
        self.request = request
        self.form = form
        self.error: DomainError | None = None

    def __enter__(self) -> "refusal":
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if not isinstance(exc, DomainError):
            return False
        self.error = exc
        if callable(self.form):
            self.form(exc)
        elif self.form is not None:
            form_add_domain_error(self.form, exc)
        else:
            messages.error(self.request, str(exc.message))
        return True

    def __bool__(self) -> bool:
        return self.error is not None


def run_action(request: HttpRequest, back: HttpResponse, action: Callable[[], object], success: str) -> HttpResponse:
    """Run a button's service call; a refusal becomes the error message, success `success`; then go `back`."""
    with refusal(request) as refused:
        action()
    if not refused:
        messages.success(request, success)
    return back

"""Domain errors that carry their HTTP meaning.

Services raise the subclass that says what went wrong; `procurement.api.exception_handler` turns it
into the API's one error body with the matching status, and `procurement.web.refusal` into a message
or a form error on the pages. Raise a subclass, never `DomainError` itself.
"""


class DomainError(Exception):
    status = 422
    code = "invalid"

    def __init__(self, message, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class Forbidden(DomainError):
    """The actor may not do this (403)."""

    status = 403
    code = "forbidden"


class NotFound(DomainError):
    """The object does not exist, or must not be admitted to exist for this actor (404)."""

    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The request is well formed but the object's state refuses it: too late, too early, already done (409)."""

    status = 409
    code = "conflict"


class Invalid(DomainError):
    """The input is wrong; `field` names the first field at fault (422)."""

    status = 422
    code = "invalid"


class InvalidTransition(Conflict):
    code = "invalid_transition"

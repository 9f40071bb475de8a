"""Domain errors that views turn into a clear message (HTML) or a 409/422 (API)."""


class DomainError(Exception):
    code = "invalid"

    def __init__(self, message, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class InvalidTransition(DomainError):
    code = "invalid_transition"

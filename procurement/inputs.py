"""Text the database cannot store: checked at the edges (query parameters, JSON bodies)."""


def refused_text(value: str) -> bool:
    """Whether PostgreSQL would refuse `value`: NUL is not allowed in text or jsonb, and a lone
    surrogate (from JSON's "\\ud800" escape) cannot be encoded to UTF-8."""
    return "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value)

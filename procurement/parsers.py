"""The API's JSON parser, bounded in size and nesting depth.

DRF's own parser reads the whole body whatever its length (the API's request stream bypasses
DATA_UPLOAD_MAX_MEMORY_SIZE) and hands it to `json.loads`, whose recursion on `[[[[…]]]]` ends in a
RecursionError that no handler catches (a 500). This one refuses both with a 400 before decoding.
"""

import codecs
import json
import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from .inputs import refused_text

# A string literal (skipped whole, so brackets inside strings do not count) or a bracket.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether arrays and objects in `text` nest deeper than `limit`, without recursing."""
    depth = 0
    for match in _TOKENS.finditer(text):
        piece = match.group()
        if piece in ("[", "{"):
            depth += 1
            if depth > limit:
                return True
        elif piece in ("]", "}"):
            depth -= 1
    return False


def _holds_refused_text(data) -> bool:
    """Whether any key or string holds NUL (PostgreSQL refuses it in text and jsonb) or a lone
    surrogate (JSON's "\\ud800" escape decodes to one; it cannot be encoded to UTF-8)."""
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if refused_text(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


class JSONRefused(ValueError):
    def __init__(self, message: str, code: str = "parse_error"):
        super().__init__(message)
        self.code = code


def json_loads_bounded(text: str):
    """`json.loads` for text from outside (API bodies, uploaded receipts): JSONRefused (a
    ValueError) when it nests deeper than API_JSON_MAX_DEPTH, is not JSON (NaN included) or holds
    text the database refuses."""
    if json_depth_exceeds(text, settings.API_JSON_MAX_DEPTH):
        raise JSONRefused(
            _("The JSON nests deeper than %(n)s levels.") % {"n": settings.API_JSON_MAX_DEPTH}, code="too_deep"
        )
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise JSONRefused(_("The request body is not valid JSON: %(error)s") % {"error": exc}) from None
    if _holds_refused_text(data):
        raise JSONRefused(_("The JSON contains characters that are not allowed (NUL or a lone surrogate)."))
    return data


def _refuse_constant(name: str):
    # NaN and Infinity are not JSON; Python's decoder accepts them unless told otherwise.
    raise ValueError(_("%(name)s is not a JSON number") % {"name": name})


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.API_JSON_MAX_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ParseError(_("The request body is larger than %(n)s bytes.") % {"n": limit}, code="too_large")
        try:
            return json_loads_bounded(codecs.decode(raw, encoding))
        except (UnicodeDecodeError, LookupError):
            raise ParseError(_("The request body is not valid %(encoding)s.") % {"encoding": encoding}) from None
        except JSONRefused as exc:
            raise ParseError(str(exc), code=exc.code) from None

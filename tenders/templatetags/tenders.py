"""Filters for tender pages."""

import re

from django import template
from django.utils.safestring import mark_safe

from ..sanitise import sanitise_html

register = template.Library()

# A description typed (or pasted) as plain text has no block tags: its line breaks are its layout.
_BLOCK_TAG = re.compile(r"<(p|br|ul|ol|li|h[2-4]|table|pre|blockquote|hr)\b", re.IGNORECASE)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


@register.filter
def description_html(value: str) -> str:
    """The tender's description as safe HTML, with the line breaks of plain text kept.

    The stored text was sanitised when saved; it is sanitised again here so that nothing written
    by another path (the admin, an old row) reaches the page as raw HTML.
    """
    cleaned = sanitise_html(value or "")
    if cleaned and not _BLOCK_TAG.search(cleaned):
        text = cleaned.replace("\r\n", "\n").replace("\r", "\n")
        paragraphs = [p.strip("\n").replace("\n", "<br>") for p in _PARAGRAPH_BREAK.split(text) if p.strip()]
        cleaned = "".join(f"<p>{p}</p>" for p in paragraphs)
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above; only <p>/<br> added


@register.inclusion_tag("tenders/_timeline_chart.html")
def tender_timeline_chart(tender) -> dict:
    from ..charts import tender_timeline

    return {"timeline": tender_timeline(tender)}

"""PDF rendering with WeasyPrint: templates in templates/pdf/, Pretendard GOV embedded for Hangul.

The fonts are loaded with file:// URLs (WeasyPrint fetches nothing over the network: the URL
fetcher below refuses anything but local files under the font folder), so the same template gives
the same bytes for the same data — the contract document's hash is reproducible.
"""

import hashlib
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

FONT_DIR = Path(settings.BASE_DIR) / "static" / "vendor" / "krds" / "fonts"


def font_urls() -> dict[str, str]:
    return {
        "regular": (FONT_DIR / "PretendardGOV-Regular.subset.woff2").as_uri(),
        "bold": (FONT_DIR / "PretendardGOV-Bold.subset.woff2").as_uri(),
    }


def _fetcher():
    from weasyprint.urls import URLFetcher

    class LocalFontsOnly(URLFetcher):
        """Fetches the bundled fonts and nothing else (no network, no other files)."""

        def fetch(self, url, headers=None):
            if not url.startswith(FONT_DIR.as_uri() + "/"):
                raise ValueError(f"PDF rendering does not fetch {url}")
            return super().fetch(url, headers)

    return LocalFontsOnly(allowed_protocols=("file",))


def html_to_pdf(html: str, *, progress: Callable[[], None] | None = None) -> bytes:
    """The PDF of `html`; `progress` is called between laying out the pages and writing the file."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=FONT_DIR.as_uri() + "/", url_fetcher=_fetcher()).render()
    if progress is not None:
        progress()
    return document.write_pdf()


def render_pdf(
    template: str, context: dict, *, language: str | None = None, progress: Callable[[], None] | None = None
) -> bytes:
    """Render `templates/<template>` in `language` (default: the active one) to PDF bytes."""
    with translation.override(language or translation.get_language()):
        html = render_to_string(template, {**context, "fonts": font_urls()})
    return html_to_pdf(html, progress=progress)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()

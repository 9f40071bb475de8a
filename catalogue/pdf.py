"""The printable invoice (세금계산서 형식), rendered with contracts' WeasyPrint setup (bundled fonts only).

Rendered by Celery like the contract document (contracts.services.documents): the request renders
the invoice's HTML (milliseconds), keys the file by the SHA-256 of that HTML (any change to what the
invoice shows gives a new file) and queues the PDF (about a second); the page shows the progress.
"""

import hashlib

from django.template.loader import render_to_string
from django.utils import translation

from contracts.pdf import font_urls, html_to_pdf

from .models import Invoice

TEMPLATE = "pdf/catalogue_invoice.html"


def invoice_html(invoice: Invoice) -> str:
    """Bilingual, fixed text (like the contract document), so the same invoice gives the same bytes."""
    with translation.override("ko"):
        return render_to_string(
            TEMPLATE,
            {
                "invoice": invoice,
                "lines": list(invoice.lines.all()),
                "entity": invoice.entity,
                "supplier": invoice.supplier,
                "fonts": font_urls(),
            },
        )


def invoice_fingerprint(html: str) -> str:
    return hashlib.sha256(html.encode()).hexdigest()


def invoice_pdf(invoice: Invoice) -> bytes:
    return html_to_pdf(invoice_html(invoice))


def _document_key(invoice: Invoice) -> dict:
    from contracts.models import ReportFile

    return {
        "kind": ReportFile.Kind.INVOICE,
        "object_type": "catalogue.invoice",
        "object_id": invoice.pk,
        "fingerprint": invoice_fingerprint(invoice_html(invoice)),
        "language": "ko-en",
    }


def invoice_document_current(invoice: Invoice):
    """The invoice's PDF as it stands (any status), or None if never requested."""
    from contracts.services.documents import document_current

    return document_current(**_document_key(invoice))


def invoice_document_request(invoice: Invoice, *, actor=None, inline: bool = False):
    """The invoice's PDF as it stands: a ReportFile, ready or queued for the Celery worker."""
    from contracts.services.documents import document_request

    return document_request(**_document_key(invoice), actor=actor, inline=inline)


def invoice_document_produce(report, progress) -> tuple[bytes, str]:
    """The producer contracts.services.documents calls in the worker. The invoice may have changed
    since the request: then this file (keyed by the old content) is not made — the page asks anew."""
    from contracts.services.documents import Superseded

    invoice = Invoice.objects.select_related("entity", "supplier", "order", "milestone__contract").get(
        pk=int(report.object_id)
    )
    html = invoice_html(invoice)
    if invoice_fingerprint(html) != report.fingerprint:
        raise Superseded("the invoice changed after the request")
    progress(30)
    return html_to_pdf(html, progress=lambda: progress(90)), f"invoice-{invoice.number}.pdf"

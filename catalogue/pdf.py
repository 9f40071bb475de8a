"""The printable invoice (세금계산서 형식), rendered with contracts' WeasyPrint setup (bundled fonts only)."""

from contracts.pdf import render_pdf

from .models import Invoice


def invoice_pdf(invoice: Invoice) -> bytes:
    """Bilingual, fixed text (like the contract document), so the same invoice gives the same bytes."""
    return render_pdf(
        "pdf/catalogue_invoice.html",
        {
            "invoice": invoice,
            "lines": list(invoice.lines.all()),
            "entity": invoice.entity,
            "supplier": invoice.supplier,
        },
        language="ko",
    )

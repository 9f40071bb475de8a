"""A company's vetting documents: checked by content, stored privately, removed only before approval."""

import hashlib
import logging
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from procurement.audit import audit_record
from procurement.errors import Conflict, Forbidden, Invalid
from procurement.storage import stored_files
from procurement.uploads import validate_upload

from ..models import Supplier, SupplierDocument, SupplierMember
from ._common import lock_supplier

logger = logging.getLogger(__name__)

# Certificates and licences: PDF, scans, and the office formats libmagic recognises by content.
DOCUMENT_CONTENT_TYPES = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "application/x-hwp",
        "application/vnd.hancom.hwpx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
)


def document_check(file) -> str:
    """The file's content type if a company may upload it; Invalid (on `file`) otherwise."""
    try:
        content_type = validate_upload(file)
    except ValidationError as exc:
        raise Invalid(exc.messages[0], field="file", code="invalid_upload") from exc
    if content_type not in DOCUMENT_CONTENT_TYPES:
        raise Invalid(
            _("This kind of file (%(type)s) is not accepted. Upload a PDF, a PNG or JPEG scan, or an office document.")
            % {"type": content_type},
            field="file",
            code="invalid_upload",
        )
    return content_type


def _digest(file) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    file.seek(0)
    for chunk in file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(65536), b""):
        sha.update(chunk)
        size += len(chunk)
    file.seek(0)
    return sha.hexdigest(), size


def _clean_name(name: str) -> str:
    return PurePosixPath((name or "document").replace("\\", "/")).name[:255] or "document"


def _upload_check(supplier: Supplier, actor) -> None:
    if not SupplierMember.objects.filter(supplier=supplier, user=actor).exists():
        raise Forbidden(_("Only the company's members can upload its documents."))
    if supplier.status == Supplier.Status.REJECTED:
        raise Conflict(_("A rejected company cannot add documents."))


def document_upload(*, supplier: Supplier, actor, kind: str, file, title: str = "") -> SupplierDocument:
    """Store a document for the company. The file is written before the transaction and removed if it fails."""
    if kind not in SupplierDocument.Kind.values:
        raise Invalid(_("Choose what kind of document this is."), field="kind")
    _upload_check(supplier, actor)  # before storing anything: a refusal leaves no file behind
    content_type = document_check(file)
    sha256, size = _digest(file)
    document = SupplierDocument(
        supplier=supplier,
        kind=kind,
        title=(title or "").strip()[:200],
        original_name=_clean_name(getattr(file, "name", "")),
        content_type=content_type,
        size=size,
        sha256=sha256,
        uploaded_by=actor,
    )
    # Storage I/O (S3 in production) stays outside the transaction and its row lock.
    with stored_files() as files:
        files.save(document.file, "document", file)
        with transaction.atomic():
            supplier = lock_supplier(supplier.pk)
            _upload_check(supplier, actor)
            document.supplier = supplier
            document.save()
            audit_record(
                actor=actor,
                action="supplier.document_upload",
                obj=supplier,
                data={
                    "document": document.pk,
                    "kind": kind,
                    "name": document.original_name,
                    "content_type": content_type,
                    "size": size,
                    "sha256": sha256,
                },
            )
    return document


def document_delete(*, document: SupplierDocument, actor) -> None:
    """Remove a document while the company is still being vetted (afterwards it is part of the record)."""
    with transaction.atomic():
        supplier = lock_supplier(document.supplier_id)
        if not SupplierMember.objects.filter(
            supplier=supplier, user=actor, role=SupplierMember.Role.ADMINISTRATOR
        ).exists():
            raise Forbidden(_("Only the company's administrators can remove its documents."))
        if not supplier.identity_editable:
            raise Conflict(_("Documents cannot be removed once vetting has decided; upload a newer one instead."))
        document = SupplierDocument.objects.get(pk=document.pk)
        name, storage = document.file.name, document.file.storage
        data = {"document": document.pk, "name": document.original_name, "sha256": document.sha256}
        document.delete()
        audit_record(actor=actor, action="supplier.document_delete", obj=supplier, data=data)
        transaction.on_commit(lambda: storage.delete(name))

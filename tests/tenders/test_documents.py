"""Tender documents: checked by content, private while draft, changed only by amendment once published."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from procurement.errors import DomainError
from procurement.uploads import validate_upload
from tenders import services
from tests import sealing
from tests.tenders.conftest import login

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def zipped(**members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name.replace("__", "/"), data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("spec.pdf", PDF, "application/pdf"),
        ("drawing.png", PNG, "image/png"),
        ("bill.txt", "수량 100개\n".encode(), "text/plain"),
        ("spec.docx", zipped(**{"[Content_Types].xml": "<Types/>", "word__document.xml": "<w/>"}), None),
    ],
    ids=["pdf", "png", "text", "office-zip"],
)
def test_documents_are_accepted_by_what_they_contain(name, content, expected):
    content_type = validate_upload(upload(name, content))
    assert expected is None or content_type == expected


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("spec.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200),  # a Windows executable named .pdf
        ("spec.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 200),
        ("run.sh", b"#!/bin/sh\nrm -rf /\n"),
        ("spec.exe", PDF),
        ("drawings.zip", zipped(**{"readme.txt": "hi", "setup.exe": "MZ"})),
        ("empty.pdf", b""),
    ],
    ids=["windows-exe-named-pdf", "elf-named-pdf", "shell-script", "exe-suffix", "zip-with-exe", "empty"],
)
def test_executables_and_disguised_files_are_refused(name, content):
    with pytest.raises(ValidationError):
        validate_upload(upload(name, content))


def test_files_over_the_limit_are_refused(settings):
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="too large"):
        validate_upload(upload("spec.pdf", PDF))


def test_a_document_is_attached_with_its_fingerprint(official, draft):
    document = services.tender_document_add(
        tender=draft, actor=official, file=upload("spec.pdf", PDF), title="규격서", kind="specification"
    )
    import hashlib

    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF)


def test_documents_of_a_published_tender_change_only_by_amendment(official, published):
    with pytest.raises(DomainError):
        services.tender_document_add(
            tender=published, actor=official, file=upload("late.pdf", PDF), title="추가", kind="other"
        )


def test_the_attach_page_refuses_an_executable_next_to_the_field(client, official, draft):
    login(client, official)
    response = client.post(
        reverse("tenders:document_add", args=[draft.pk]),
        {"kind": "specification", "title": "x", "file": upload("spec.pdf", b"MZ\x90\x00" + b"\x00" * 100)},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_file_error"' in html
    assert not draft.documents.exists()


def test_a_draft_document_can_be_removed(client, official, draft):
    document = services.tender_document_add(
        tender=draft, actor=official, file=upload("spec.pdf", PDF), title="규격서", kind="specification"
    )
    login(client, official)
    client.post(reverse("tenders:document_remove", args=[draft.pk, document.pk]))
    assert not draft.documents.exists()


def test_retender_copies_the_documents(official, draft):
    services.tender_document_add(
        tender=draft, actor=official, file=upload("spec.pdf", PDF), title="규격서", kind="specification"
    )
    tender = sealing.publish(tender=draft, actor=official)
    services.tender_cancel(tender=tender, actor=official, reason="재공고")
    copy = services.tender_retender(tender=tender, actor=official)
    clone = copy.documents.get()
    assert clone.sha256 == tender.documents.get().sha256
    assert clone.file.name != tender.documents.get().file.name
    with clone.file.open("rb") as f:
        assert f.read() == PDF

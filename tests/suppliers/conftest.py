"""Supplier test helpers: companies in each vetting state, files to upload, signed-in clients."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from suppliers.demo import certificate_pdf
from suppliers.models import Supplier, SupplierMember
from tests.factories import SupplierFactory, SupplierMemberFactory


@pytest.fixture(autouse=True)
def english():
    """Tests read English messages; the portal's default language is Korean."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def company(supplier_user):
    """Sam's company (approved)."""
    return supplier_user.supplier_membership.supplier


@pytest.fixture
def rival(other_supplier_user):
    """Tara's company (approved), which Sam must never see inside."""
    return other_supplier_user.supplier_membership.supplier


@pytest.fixture
def pending_company(db):
    """Priya's company, awaiting vetting."""
    member = SupplierMemberFactory(user__email="priya@pending.example", supplier__status=Supplier.Status.PENDING)
    return member.supplier


def company_in(status: str) -> Supplier:
    supplier = SupplierFactory(status=status)
    SupplierMemberFactory(supplier=supplier, role=SupplierMember.Role.ADMINISTRATOR)
    return supplier


@pytest.fixture
def client_for():
    def make(user) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        return client

    return make


def pdf_upload(name: str = "certificate.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, certificate_pdf("Test Co.", "123-45-67890"), content_type="application/pdf")


def exe_upload(name: str = "certificate.pdf") -> SimpleUploadedFile:
    """A Windows executable (MZ header) wearing a .pdf name and a PDF content type."""
    body = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"\x80\x00\x00\x00"
    body += b"\x00" * 64 + b"PE\x00\x00L\x01\x03\x00" + b"\x00" * 400
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def elf_upload(name: str = "licence.pdf") -> SimpleUploadedFile:
    body = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + b"\x00" * 400
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def docx_upload() -> SimpleUploadedFile:
    """A small but well-formed Word document (libmagic recognises it by its parts)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
            'document.main+xml"/></Types>',
        )
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile("licence.docx", buffer.getvalue())

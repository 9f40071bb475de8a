"""Company documents: checked by content, stored privately, downloaded only by those allowed."""

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from procurement.errors import DomainError
from procurement.models import AuditEntry
from suppliers.models import Supplier, SupplierDocument, SupplierMember
from suppliers.services import document_delete, document_upload
from tests.factories import SupplierMemberFactory
from tests.suppliers.conftest import docx_upload, elf_upload, exe_upload, pdf_upload

pytestmark = pytest.mark.django_db

CERTIFICATE = SupplierDocument.Kind.REGISTRATION_CERTIFICATE


def upload(client, file, kind=CERTIFICATE):
    return client.post(reverse("suppliers:document_upload"), {"kind": kind, "title": "", "file": file})


def test_a_member_uploads_a_pdf_certificate(supplier_user, company, client_for):
    response = upload(client_for(supplier_user), pdf_upload("사업자등록증.pdf"))
    assert response.status_code == 302
    document = company.documents.get()
    assert document.content_type == "application/pdf"
    assert document.original_name == "사업자등록증.pdf"
    assert len(document.sha256) == 64
    assert document.size > 0
    entry = AuditEntry.objects.get(action="supplier.document_upload")
    assert entry.data["sha256"] == document.sha256


def test_the_file_is_stored_privately_under_a_random_name(supplier_user, company):
    document = document_upload(supplier=company, actor=supplier_user, kind=CERTIFICATE, file=pdf_upload())
    name = document.file.name
    assert name.startswith(f"private/suppliers/{company.pk}/")
    assert "certificate" not in name
    assert not name.endswith(".pdf")
    other = document_upload(supplier=company, actor=supplier_user, kind=CERTIFICATE, file=pdf_upload())
    assert other.file.name != name


def test_an_office_document_is_recognised_by_its_content(supplier_user, company):
    document = document_upload(supplier=company, actor=supplier_user, kind="licence", file=docx_upload())
    assert document.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_an_executable_renamed_pdf_is_refused(supplier_user, company, client_for):
    response = upload(client_for(supplier_user), exe_upload("certificate.pdf"))
    assert response.status_code == 422
    assert "not accepted" in response.context["form"].errors["file"][0]
    assert not SupplierDocument.objects.exists()


def test_a_linux_executable_renamed_pdf_is_refused(supplier_user, company):
    with pytest.raises(DomainError) as exc:
        document_upload(supplier=company, actor=supplier_user, kind=CERTIFICATE, file=elf_upload())
    assert exc.value.field == "file"
    assert not SupplierDocument.objects.exists()


def test_a_script_with_a_double_extension_is_refused_by_name_too(supplier_user, company):
    with pytest.raises(DomainError):
        document_upload(supplier=company, actor=supplier_user, kind=CERTIFICATE, file=pdf_upload("invoice.pdf.exe"))


@override_settings(UPLOAD_MAX_BYTES=500)
def test_an_oversized_upload_is_refused(supplier_user, company, client_for):
    big = pdf_upload()
    assert big.size > 500
    response = upload(client_for(supplier_user), big)
    assert response.status_code == 422
    assert "too large" in response.context["form"].errors["file"][0]
    assert not SupplierDocument.objects.exists()


def test_a_refused_upload_leaves_no_file_behind(supplier_user, company, tmp_path):
    before = {p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()}
    with pytest.raises(DomainError):
        document_upload(supplier=company, actor=supplier_user, kind=CERTIFICATE, file=exe_upload())
    assert {p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()} == before


def test_an_outsider_cannot_upload_to_a_company(outsider, company):
    with pytest.raises(DomainError):
        document_upload(supplier=company, actor=outsider, kind=CERTIFICATE, file=pdf_upload())
    assert not SupplierDocument.objects.exists()


# --- downloads ----------------------------------------------------------------------------------------


@pytest.fixture
def certificate(supplier_user, company):
    return document_upload(supplier=company, actor=supplier_user, kind=CERTIFICATE, file=pdf_upload("cert.pdf"))


def test_a_member_downloads_the_document_as_an_attachment(supplier_user, certificate, client_for):
    response = client_for(supplier_user).get(certificate.get_download_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert "cert.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_a_member_of_another_company_cannot_download_it(other_supplier_user, certificate, client_for):
    response = client_for(other_supplier_user).get(certificate.get_download_url())
    assert response.status_code == 404


def test_a_member_of_another_company_cannot_delete_it(other_supplier_user, certificate, client_for):
    response = client_for(other_supplier_user).post(reverse("suppliers:document_delete", args=[certificate.pk]))
    assert response.status_code == 404
    assert SupplierDocument.objects.filter(pk=certificate.pk).exists()


def test_another_company_does_not_see_it_on_its_company_page(other_supplier_user, certificate, client_for):
    response = client_for(other_supplier_user).get(reverse("suppliers:company"))
    assert certificate not in response.context["documents"]
    assert certificate.get_download_url().encode() not in response.content


@pytest.mark.parametrize("who", ["platform_admin", "auditor"])
def test_platform_admins_and_auditors_download_documents(request, who, certificate, client_for):
    response = client_for(request.getfixturevalue(who)).get(certificate.get_download_url())
    assert response.status_code == 200


def test_officials_and_outsiders_cannot_download_documents(official, outsider, certificate, client_for):
    for user in (official, outsider):
        assert client_for(user).get(certificate.get_download_url()).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, certificate):
    response = client.get(certificate.get_download_url())
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_documents_are_never_served_from_the_media_url(client, supplier_user, certificate, client_for):
    for c in (client, client_for(supplier_user)):
        assert c.get(f"{settings.MEDIA_URL}{certificate.file.name}").status_code == 404


def test_an_administrator_removes_a_document_while_vetting_is_pending(client_for, django_capture_on_commit_callbacks):
    member = SupplierMemberFactory(supplier__status=Supplier.Status.PENDING)
    document = document_upload(supplier=member.supplier, actor=member.user, kind=CERTIFICATE, file=pdf_upload())
    name, storage = document.file.name, document.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(member.user).post(reverse("suppliers:document_delete", args=[document.pk]))
    assert response.status_code == 302
    assert not SupplierDocument.objects.filter(pk=document.pk).exists()
    assert not storage.exists(name)
    assert AuditEntry.objects.filter(action="supplier.document_delete").exists()


def test_documents_of_an_approved_company_stay_on_record(supplier_user, certificate):
    with pytest.raises(DomainError):
        document_delete(document=certificate, actor=supplier_user)
    assert SupplierDocument.objects.filter(pk=certificate.pk).exists()


def test_a_bidder_cannot_remove_documents(company, certificate, client_for):
    bidder = SupplierMemberFactory(supplier=company, role=SupplierMember.Role.BIDDER).user
    assert client_for(bidder).get(certificate.get_download_url()).status_code == 200
    assert client_for(bidder).post(reverse("suppliers:document_delete", args=[certificate.pk])).status_code == 403

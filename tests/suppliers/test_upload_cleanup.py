"""Company documents: a refused upload leaves no file in storage."""

import pytest

from procurement.errors import DomainError
from suppliers.models import SupplierDocument
from suppliers.services import document_upload
from tests.suppliers.conftest import pdf_upload

pytestmark = pytest.mark.django_db


def test_an_upload_by_a_non_member_stores_nothing(other_supplier_user, company, stored_media):
    with pytest.raises(DomainError):
        document_upload(
            supplier=company,
            actor=other_supplier_user,
            kind=SupplierDocument.Kind.REGISTRATION_CERTIFICATE,
            file=pdf_upload(),
        )
    assert stored_media() == []


def test_an_upload_whose_transaction_fails_leaves_no_file(supplier_user, company, stored_media, monkeypatch):
    def audit_fails(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("suppliers.services.documents.audit_record", audit_fails)
    with pytest.raises(RuntimeError):
        document_upload(
            supplier=company,
            actor=supplier_user,
            kind=SupplierDocument.Kind.REGISTRATION_CERTIFICATE,
            file=pdf_upload(),
        )
    assert stored_media() == []

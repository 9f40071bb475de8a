"""Tender documents: a refused or failed upload, amendment or re-tender leaves no file in storage."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from procurement.errors import DomainError
from tenders import services
from tenders.models import Tender, TenderDocument

pytestmark = pytest.mark.django_db


def spec():
    return SimpleUploadedFile("spec.pdf", b"%PDF-1.4\nspec\n%%EOF\n")


def test_a_document_refused_on_a_published_tender_stores_nothing(official, published, stored_media):
    with pytest.raises(DomainError):
        services.tender_document_add(tender=published, actor=official, file=spec(), title="", kind="specification")
    assert stored_media() == []


def test_a_document_from_another_entity_stores_nothing(rita, draft, stored_media):
    with pytest.raises(DomainError):
        services.tender_document_add(tender=draft, actor=rita, file=spec(), title="", kind="specification")
    assert stored_media() == []


def test_an_amendment_by_another_entity_leaves_no_document_behind(rita, published, stored_media):
    with pytest.raises(DomainError):
        services.tender_amend(tender=published, actor=rita, reason="Adds a drawing.", data={}, new_document=spec())
    assert not TenderDocument.objects.exists()
    assert stored_media() == []


def test_a_retender_that_fails_leaves_no_copied_file(official, draft, stored_media, monkeypatch):
    services.tender_document_add(tender=draft, actor=official, file=spec(), title="", kind="specification")
    Tender.objects.filter(pk=draft.pk).update(status=Tender.Status.CANCELLED)
    before = stored_media()

    def audit_fails(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("tenders.services.lifecycle.audit_record", audit_fails)
    with pytest.raises(RuntimeError):
        services.tender_retender(tender=draft, actor=official)
    assert stored_media() == before

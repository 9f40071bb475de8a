"""A refused or failed complaint, and a contract PDF that lost a race, leave no file in storage."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts import services
from contracts.models import Complaint, ReportFile
from procurement.errors import DomainError
from tests.bidding.helpers import pdf_with

from .test_awards import evaluated_tender
from .test_contracts import contract  # noqa: F401 -- the fixture

pytestmark = pytest.mark.django_db


def evidence():
    return SimpleUploadedFile("evidence.pdf", pdf_with("evidence"), content_type="application/pdf")


def test_a_refused_complaint_stores_nothing_however_often_it_is_repeated(official, stored_media):
    tender, users = evaluated_tender(official)
    award = services.award_propose(tender=tender, actor=official)
    for _attempt in range(3):
        with pytest.raises(DomainError, match="winning bidder"):
            services.complaint_lodge(award=award, actor=users[0], grounds="Hmm.", documents=[evidence()])
    assert stored_media() == []


def test_a_complaint_whose_transaction_fails_leaves_no_file(official, stored_media, monkeypatch):
    tender, users = evaluated_tender(official)
    award = services.award_propose(tender=tender, actor=official)

    def audit_fails(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("contracts.services.complaints.audit_record", audit_fails)
    with pytest.raises(RuntimeError):
        services.complaint_lodge(award=award, actor=users[1], grounds="Licence.", documents=[evidence()])
    assert not Complaint.objects.exists()
    assert stored_media() == []


def test_an_accepted_complaint_keeps_its_file(official, stored_media):
    tender, users = evaluated_tender(official)
    award = services.award_propose(tender=tender, actor=official)
    complaint = services.complaint_lodge(award=award, actor=users[1], grounds="Licence.", documents=[evidence()])
    assert stored_media() == [complaint.documents.get().file.name]


def test_the_contract_pdf_that_loses_a_race_leaves_no_file(contract, stored_media):  # noqa: F811
    version = services.pending_version(contract)
    winner = ReportFile.objects.create(
        kind=ReportFile.Kind.CONTRACT,
        object_type="contracts.contractversion",
        object_id=str(version.pk),
        language="ko-en",
        fingerprint=f"v{version.number}",
        status=ReportFile.Status.READY,
        file="reports/the-other-render.pdf",
    )
    assert services.contract_document_ensure(version=version) == winner
    assert stored_media() == []

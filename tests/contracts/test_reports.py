"""The award report PDF (content, hashes, caching, background rendering) and the auditors' CSV exports."""

import csv
import hashlib
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from contracts import services
from contracts.models import ReportFile
from contracts.reports import award_report_data, award_report_fingerprint, canonical_sha256
from contracts.services.reports import award_report_render
from tests.bidding.helpers import published_tender, submit

from .test_contracts import final_award, sign, terms

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def contracted(official):
    award, users = final_award(official)
    contract = services.contract_create(award=award, actor=official, terms=terms())
    sign(contract, official)
    sign(contract, users[0])
    return award.tender, users


def download(client, tender):
    response = client.get(reverse("contracts:award_report_pdf", args=[tender.pk]))
    assert response.status_code == 200, response
    return response, b"".join(response.streaming_content)


def test_an_auditor_downloads_the_award_report_with_the_winner_prices_and_chain_verification(
    contracted, auditor, client
):
    tender, users = contracted
    client.force_login(auditor)

    response, data = download(client, tender)

    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-SHA256"] == hashlib.sha256(data).hexdigest()
    text = pdf_text(data)
    winner = users[0].supplier_membership.supplier
    assert f"Winner: {winner.name_en}" in text  # the report is in the auditor's language (English here)
    assert tender.title in text  # …and Hangul survives the round trip through the PDF
    for price in ("90,000,000", "95,000,000", "99,000,000"):
        assert price in text
    assert "Verified: intact" in text
    assert "1 / " in text  # page numbers
    assert tender.reference in text
    report = ReportFile.objects.get(kind=ReportFile.Kind.AWARD_REPORT)
    assert report.sha256 == response["X-Content-SHA256"]
    assert report.content_sha256 in text.replace("\n", "")


def test_the_report_is_kept_until_the_tender_changes(contracted, auditor, official, client):
    tender, users = contracted
    client.force_login(auditor)
    _first, data = download(client, tender)
    _again, same = download(client, tender)
    assert data == same
    assert ReportFile.objects.filter(kind="award_report").count() == 1

    contract = tender.contracts.get()
    milestone = contract.milestones.first()
    services.milestone_deliver(milestone=milestone, actor=users[0])  # a new audit entry about the tender

    _third, changed = download(client, tender)
    assert changed != data
    assert ReportFile.objects.filter(kind="award_report").count() == 2


def test_the_report_page_shows_the_file_hash_after_generation(contracted, auditor, client):
    tender, _users = contracted
    client.force_login(auditor)
    _response, data = download(client, tender)

    page = client.get(reverse("contracts:award_report", args=[tender.pk]))

    assert hashlib.sha256(data).hexdigest() in page.content.decode()


def test_a_large_report_renders_in_the_background_with_progress(
    contracted, auditor, client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    tender, _users = contracted
    settings.AWARD_REPORT_INLINE_MAX_BIDS = 1
    queued = []
    monkeypatch.setattr("contracts.tasks.award_report_render.delay", lambda report_id: queued.append(report_id))
    client.force_login(auditor)

    with pytest.raises(AssertionError):
        download(client, tender)  # not streamed: it must be generated first
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(reverse("contracts:award_report", args=[tender.pk]))
    assert callbacks
    report = ReportFile.objects.get(kind="award_report")
    assert queued == [report.pk]
    fragment = client.get(reverse("contracts:award_report_status", args=[tender.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in fragment

    assert award_report_render(report_id=report.pk)  # what the worker does
    assert not award_report_render(report_id=report.pk)  # a redelivered task renders nothing

    fragment = client.get(reverse("contracts:award_report_status", args=[tender.pk])).content.decode()
    assert "hx-trigger" not in fragment
    report.refresh_from_db()
    assert report.sha256 in fragment
    assert download(client, tender)[1]


def test_the_report_data_hash_is_of_its_canonical_json(contracted):
    tender, _users = contracted
    data = award_report_data(tender, language="en")
    assert canonical_sha256(data) == canonical_sha256(dict(reversed(list(data.items()))))
    # Stable: no moment of generation and no chain check inside, so the same record hashes the same.
    assert "generated_at" not in data
    assert "chain" not in data
    assert canonical_sha256(award_report_data(tender, language="en")) == canonical_sha256(data)
    assert {b["commitment_ok"] for b in data["bidders"]} == {True}
    actions = {e["action"] for e in data["audit_trail"]}
    expected = {"bid.submit", "bid.open_all", "evaluation.start", "award.propose", "award.finalise", "contract.sign"}
    assert expected <= actions
    assert award_report_fingerprint(tender, language="en") != award_report_fingerprint(tender, language="ko")


def test_until_the_award_is_final_the_report_is_for_auditors_and_the_entity_only(
    client, rival_official, outsider, official
):
    from .test_awards import evaluated_tender

    tender, users = evaluated_tender(official)
    award = services.award_propose(tender=tender, actor=official)
    assert award.status == "standstill"
    url = reverse("contracts:award_report_pdf", args=[tender.pk])
    data_url = reverse("api-award-report-data", args=[tender.pk])
    assert client.get(url).status_code == 404
    assert client.get(data_url).status_code == 404
    for user in (rival_official, outsider, users[1]):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.get(data_url).status_code == 404
    client.force_login(official)
    assert client.get(url).status_code == 200


def test_once_the_award_is_final_anyone_downloads_the_report_and_its_data_whose_hash_the_pdf_prints(contracted, client):
    tender, _users = contracted
    _response, pdf = download(client, tender)  # anonymous
    data_url = reverse("api-award-report-data", args=[tender.pk]) + "?language=en"  # the PDF's language
    data_response = client.get(data_url)
    assert data_response.status_code == 200
    body = data_response.content
    digest = hashlib.sha256(body).hexdigest()
    assert data_response["X-Content-SHA256"] == digest
    assert digest in pdf_text(pdf).replace("\n", "")
    # The same record gives the same bytes (no generation time inside).
    assert client.get(data_url).content == body
    # Nothing personal: committee members and actors appear without e-mail addresses.
    assert b"@" not in body


# --- CSV exports ---------------------------------------------------------------------------------------


def rows(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(body)))


def test_auditors_export_tenders_opened_bids_and_awards_as_csv(contracted, auditor, client, official, supplier_user):
    tender, _users = contracted
    sealed = published_tender(entity=official.official.entity, created_by=official)
    submit(sealed, supplier_user, price="77777777")
    client.force_login(auditor)

    tenders = rows(client.get(reverse("contracts:export_tenders")))
    bids = rows(client.get(reverse("contracts:export_bids")))
    awards = rows(client.get(reverse("contracts:export_awards")))

    assert [t["reference"] for t in tenders] == [tender.reference]  # the sealed one is not there
    assert sorted(b["price"] for b in bids) == ["90000000.00", "95000000.00", "99000000.00"]
    assert "77777777" not in str(bids)
    assert awards[0]["status"] == "final"
    filtered = rows(client.get(reverse("contracts:export_bids") + "?evaluation_method=best_value"))
    assert filtered == []


def test_exports_are_for_auditors_only(contracted, client, official, supplier_user):
    for user in (official, supplier_user, None):
        client.logout()
        if user:
            client.force_login(user)
        response = client.get(reverse("contracts:export_bids"))
        assert response.status_code in (302, 403)


def test_csv_cells_that_look_like_formulas_are_neutralised(contracted, auditor, client):
    _tender, users = contracted
    supplier = users[0].supplier_membership.supplier
    supplier.name_ko = '=HYPERLINK("http://evil.example","x")'
    supplier.save()
    client.force_login(auditor)

    awards = rows(client.get(reverse("contracts:export_awards")))

    assert awards[0]["supplier"].startswith("'=")


def test_the_reports_audit_trail_reads_in_words_and_names_organisations_not_people(contracted):
    tender, users = contracted
    trail = award_report_data(tender, language="en")["audit_trail"]
    finalised = next(e for e in trail if e["action"] == "award.finalise")
    assert " made " in finalised["what"]
    assert " final" in finalised["what"]
    signed = [e for e in trail if e["action"] == "contract.sign"]
    assert signed
    assert all(" signed " in e["what"] for e in signed)
    everything = " ".join(e["what"] for e in trail)
    assert "@" not in everything  # no e-mail address of anyone who acted
    assert all(user.email not in everything for user in users)


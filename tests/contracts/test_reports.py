"""The award report PDF (content, hashes, caching, background rendering) and the auditors' CSV exports."""

import csv
import hashlib
import io
from datetime import timedelta

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
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


@pytest.fixture(autouse=True)
def worker(monkeypatch):
    """Queued renders run when the request's transaction commits, as the Celery worker would run them
    (tests/contracts/test_report_worker.py runs a real worker). Returns the ids it rendered."""
    rendered = []

    def run(report_id):
        rendered.append(report_id)
        award_report_render(report_id=report_id)

    monkeypatch.setattr("contracts.tasks.award_report_render.delay", run)
    return rendered


def prepare(client, tender):
    """Press "Prepare the award report" on the report page; the worker renders it on commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("contracts:award_report", args=[tender.pk]))
    assert response.status_code == 302, response
    return response


def download(client, tender):
    """Prepare the report, then follow the download link as a browser would."""
    prepare(client, tender)
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


def test_the_report_is_prepared_in_the_background_while_the_page_shows_its_progress(
    contracted, auditor, client, monkeypatch
):
    tender, _users = contracted
    queued = []
    monkeypatch.setattr("contracts.tasks.award_report_render.delay", queued.append)  # no worker yet
    client.force_login(auditor)
    page_url = reverse("contracts:award_report", args=[tender.pk])
    status_url = reverse("contracts:award_report_status", args=[tender.pk])
    pdf_url = reverse("contracts:award_report_pdf", args=[tender.pk])

    # Nothing prepared: the download link leads to the page that offers to prepare it; no render in the request.
    assert client.get(pdf_url)["Location"] == page_url
    assert "Prepare the award report" in client.get(page_url).content.decode()
    prepare(client, tender)
    prepare(client, tender)  # a second press (or a second person) does not queue a second render
    report = ReportFile.objects.get(kind="award_report")
    assert queued == [report.pk]
    # A task lost with the broker: after a while of waiting, asking again queues it again (once).
    ReportFile.objects.filter(pk=report.pk).update(created_at=timezone.now() - timedelta(minutes=3))
    prepare(client, tender)
    prepare(client, tender)
    assert queued == [report.pk, report.pk]

    fragment = client.get(status_url).content.decode()
    assert 'hx-trigger="every 2s"' in fragment
    assert 'value="0"' in fragment
    assert client.get(pdf_url)["Location"] == page_url  # not ready yet

    # The worker's progress shows on the next poll.
    progress = []
    from contracts.services import reports as report_services

    real_progress = report_services._progress

    def seen(report_id, pct):
        real_progress(report_id, pct)
        progress.append((pct, client.get(status_url).content.decode()))

    monkeypatch.setattr(report_services, "_progress", seen)
    assert award_report_render(report_id=report.pk)  # what the worker does
    assert not award_report_render(report_id=report.pk)  # a redelivered task renders nothing
    assert [pct for pct, _ in progress] == [10, 25, 60, 90]
    assert all(f'value="{pct}"' in html and "hx-trigger" in html for pct, html in progress)

    fragment = client.get(status_url).content.decode()
    assert "hx-trigger" not in fragment
    report.refresh_from_db()
    assert report.sha256 in fragment
    response = client.get(pdf_url)
    assert response["X-Content-SHA256"] == report.sha256


def test_the_progress_is_for_whoever_may_download_the_report(client, rival_official, outsider, official, auditor):
    from .test_awards import after_standstill, evaluated_tender

    tender, users = evaluated_tender(official)
    award = services.award_propose(tender=tender, actor=official)
    urls = [reverse(name, args=[tender.pk]) for name in ("contracts:award_report", "contracts:award_report_status")]
    # Before the award is final: the entity's officials and auditors only; to anyone else it does not exist.
    for user in (None, rival_official, outsider, users[1]):
        client.logout()
        if user is not None:
            client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [404, 404]
        assert client.post(urls[0]).status_code == 404
    assert not ReportFile.objects.exists()
    for user in (official, auditor):
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [200, 200]

    with after_standstill(award):
        services.award_finalise(award=award, actor=official)
    client.logout()  # once final: anyone, without an account, prepares it, watches it and downloads it
    assert [client.get(url).status_code for url in urls] == [200, 200]
    _response, pdf = download(client, tender)
    assert pdf.startswith(b"%PDF")


def test_the_report_has_one_row_a_bid_and_short_hashes_with_the_full_ones_in_its_data(contracted):
    """The compact layout: no block per bid; the full commitment is in the data the PDF's hash covers."""
    from contracts.templatetags.contracts import audit_runs

    tender, _users = contracted
    data = award_report_data(tender, language="en")
    commitment = data["bidders"][0]["commitment"]
    report = ReportFile.objects.create(
        kind="award_report", object_type="tenders.tender", object_id=str(tender.pk), language="en", fingerprint="x"
    )
    assert award_report_render(report_id=report.pk)
    report.refresh_from_db()
    with report.file.open("rb") as handle:
        text = pdf_text(handle.read()).replace("\n", "")
    assert commitment[:12] in text
    assert commitment not in text
    assert "Commitment check of every bid" not in text  # folded into the bidders' table
    # Runs of one action by one party are one row in the PDF; every entry stays in the data.
    entries = [{"action": "bid.submit", "actor": f"Supplier {n % 4}", "seq": n} for n in range(5)]
    entries.append({"action": "bid.open_all", "actor": "System", "seq": 5})
    runs = [(r["count"], r["first"]["seq"], r["last"]["seq"], r["actors"]) for r in audit_runs(entries)]
    assert runs == [(5, 0, 4, 4), (1, 5, 5, "System")]  # 5 submissions by 4 companies: one row
    assert [r["count"] for r in audit_runs(entries[3:])] == [1, 1, 1]  # a run of two stays two rows


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
    assert download(client, tender)[0].status_code == 200


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


def test_the_chain_line_counts_every_entry_written_before_the_report_not_only_those_integrated_earlier(contracted):
    """'Verified: intact — N entries checked' covers the whole log: the report integrates it first."""
    from contracts.reports import award_report_chain
    from procurement.models import AuditEntry, LogLeaf

    assert LogLeaf.objects.count() < AuditEntry.objects.count()  # the award's entries wait for the integrator

    chain = award_report_chain()

    assert chain["ok"], chain
    assert chain["pending"] == 0
    assert chain["entries"] == AuditEntry.objects.count() == LogLeaf.objects.count()

"""The award report of a tender with 1,000 bids against a bare WeasyPrint table of the same rows.

    .venv/bin/python bench/run.py --only award_report [--report-bids 1000] [--report-rounds 3]

Builds the tender through the real services (sealed bids from 1,000 companies, closing, opening,
evaluation, a final award), then alternates, round after round, each in a fresh forked process:
- "report": contracts.services.reports.award_report_render — gathering the data, hashing it,
  rendering the PDF, storing the file (what the Celery task does);
- "bare": the same bidder rows (name, registration number, price, commitment, status) as one plain
  HTML table with the same fonts, straight to WeasyPrint.
Reports seconds, pages and peak memory (the child's maximum resident set) of each, and the ratios
report/bare (target ≤ 1.5, issue 16).
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_tender(bids: int):
    """An awarded tender with `bids` opened bids (lowest price wins), through the services."""
    import base64
    from datetime import timedelta

    import time_machine
    from django.conf import settings

    from contracts import services
    from tests.bidding.helpers import bidder, close_and_open, published_tender, submit
    from tests.conftest import enrol_totp
    from tests.factories import OfficialFactory
    from tests.sealing import custodian_make

    # As the test settings do: 1,000 companies' passwords hashed the production way would take minutes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if not settings.PLATFORM_CUSTODIAN_KEY:  # as the test settings do: the platform is one custodian
        settings.PLATFORM_CUSTODIAN_KEY = base64.b64encode(os.urandom(32)).decode()
    membership = OfficialFactory(can_approve=True)
    membership.entity.default_custodians.add(custodian_make())
    official = membership.user
    enrol_totp(official)
    # No broker in the bench: notifications and tree heads would each wait for a connection refusal.
    with mock.patch("celery.app.task.Task.apply_async"):
        tender = published_tender(entity=official.official.entity, created_by=official, estimated_value=100_000_000_000)
        for n in range(bids):
            submit(tender, bidder(), price=str(90_000_000_000 + n * 7_919_000))
        close_and_open(tender)
        evaluation = services.evaluation_start(tender=tender, actor=official)
        services.assessment_review(assessment=services.next_for_review(evaluation), actor=official, passed=True)
        services.evaluation_complete(evaluation=evaluation, actor=official)
        award = services.award_propose(tender=tender, actor=official)
        with time_machine.travel(award.standstill_until + timedelta(seconds=1), tick=False):
            services.award_finalise(award=award, actor=official)
    tender.refresh_from_db()
    return tender


BARE_TEMPLATE = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
@font-face {{ font-family: "Pretendard GOV"; src: url("{regular}"); }}
@page {{ size: A4; margin: 18mm 15mm 20mm; }}
body {{ font-family: "Pretendard GOV", sans-serif; font-size: 9pt; }}
table {{ width: 100%; border-collapse: collapse; }} td {{ padding: 1mm; border-bottom: 0.3pt solid #ccc; }}
</style></head><body><table>{rows}</table></body></html>"""


def bare_pdf(tender) -> bytes:
    """The report's bidder rows — the values its table shows — as a bare table with the same font: the
    reference the issue measures against (no data gathering, hashing, chain check, styling or storage)."""
    from html import escape

    from contracts.pdf import font_urls, html_to_pdf
    from contracts.reports import _bidders

    def cells(b):
        return (b["opening_rank"], b["supplier"], b["registration_number"], b["price"], b["price_ratio"],
                b["commitment"][:12], b["status"])  # fmt: skip

    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in cells(b)) + "</tr>" for b in _bidders(tender, None)
    )
    return html_to_pdf(BARE_TEMPLATE.format(regular=font_urls()["regular"], rows=rows))


def _report_pdf(tender) -> bytes:
    from contracts.models import ReportFile
    from contracts.services.reports import award_report_render

    ReportFile.objects.filter(kind=ReportFile.Kind.AWARD_REPORT).delete()
    report = ReportFile.objects.create(
        kind=ReportFile.Kind.AWARD_REPORT,
        object_type="tenders.tender",
        object_id=str(tender.pk),
        language="ko",
        fingerprint=f"bench-{time.time_ns()}",
    )
    assert award_report_render(report_id=report.pk), ReportFile.objects.get(pk=report.pk).error
    report.refresh_from_db()
    with report.file.open("rb") as handle:
        return handle.read()


def _in_child(work, tender_id: int) -> dict:
    """Run `work(tender)` in a forked process; its wall time, pages and peak resident memory."""
    import json
    import resource

    from django.db import connections

    connections.close_all()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: fresh connection, measure, report through the pipe, exit
        os.close(read)
        code = 0
        try:
            from django.utils import translation
            from pypdf import PdfReader

            from tenders.models import Tender

            translation.activate("ko")
            tender = Tender.objects.get(pk=tender_id)
            start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            began = time.perf_counter()
            pdf = work(tender)
            seconds = time.perf_counter() - began
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
            payload = {"seconds": seconds, "pages": pages, "bytes": len(pdf), "start_rss_kib": start_rss}
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises
            payload = {"error": f"{type(exc).__name__}: {exc}"}
            code = 1
        os.write(write, json.dumps(payload).encode())
        os.close(write)
        os._exit(code)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    _pid, _status, usage = os.wait4(pid, 0)
    result = json.loads(b"".join(chunks))
    if "error" in result:
        raise RuntimeError(result["error"])
    result["peak_rss_mib"] = round(usage.ru_maxrss / 1024, 1)
    result["growth_mib"] = round((usage.ru_maxrss - result.pop("start_rss_kib")) / 1024, 1)
    return result


def bench_award_report(*, bids: int = 1000, rounds: int = 3) -> dict:
    import weasyprint  # noqa: F401 - imported once here, not timed in every child

    from contracts.selectors import tender_audit_trail

    began = time.perf_counter()
    tender = build_tender(bids)
    built = time.perf_counter() - began
    audit_entries = tender_audit_trail(tender).count()
    runs: dict[str, list[dict]] = {"report": [], "bare": []}
    for n in range(rounds):
        order = [("report", _report_pdf), ("bare", bare_pdf)]
        for name, work in order if n % 2 == 0 else reversed(order):
            runs[name].append(_in_child(work, tender.pk))
    summary = {}
    for name, values in runs.items():
        summary[name] = {
            "median_seconds": round(statistics.median(r["seconds"] for r in values), 2),
            "seconds": [round(r["seconds"], 2) for r in values],
            "pages": values[0]["pages"],
            "bytes": values[0]["bytes"],
            "median_peak_rss_mib": statistics.median(r["peak_rss_mib"] for r in values),
            "median_growth_mib": statistics.median(r["growth_mib"] for r in values),
        }
    time_ratio = summary["report"]["median_seconds"] / summary["bare"]["median_seconds"]
    from bench.results import record

    record(
        f"award report, {bids:,} bids",
        value=summary["report"]["median_seconds"],
        unit=f"s ({summary['report']['pages']} pages, {summary['report']['median_peak_rss_mib']} MiB peak)",
        reference=summary["bare"]["median_seconds"],
        reference_label=f"bare WeasyPrint table of the same rows ({summary['bare']['pages']} pages, "
        f"{summary['bare']['median_peak_rss_mib']} MiB peak)",
        ratio=time_ratio,
        target="≤ 1.5×",
        met=time_ratio <= 1.5,
        spread={
            name: {"seconds": v["seconds"], "peak_rss_mib": v["median_peak_rss_mib"]} for name, v in summary.items()
        },
        notes=f"{rounds} interleaved rounds, each in a fresh process; {audit_entries} audit entries in the report",
    )
    return {
        "bids": bids,
        "audit_entries": audit_entries,
        "build_seconds": round(built, 1),
        "rounds": rounds,
        **summary,
        "time_ratio": round(time_ratio, 2),
        "peak_memory_ratio": round(
            summary["report"]["median_peak_rss_mib"] / summary["bare"]["median_peak_rss_mib"], 2
        ),
        "target_time_ratio": 1.5,
    }


def add_arguments(parser) -> None:
    parser.add_argument("--report-bids", type=int, default=1000)
    parser.add_argument("--report-rounds", type=int, default=3)


def run(args) -> dict:
    return bench_award_report(bids=args.report_bids, rounds=args.report_rounds)


def main() -> None:
    """Run alone, on bench/run.py's throwaway database (`<DATABASE_URL name>_bench`, recreated)."""
    import json

    from bench.run import _setup_django

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    args = parser.parse_args()
    _setup_django()
    print(json.dumps(run(args), indent=2))
    from bench.results import write

    print("written to", write())


if __name__ == "__main__":
    main()

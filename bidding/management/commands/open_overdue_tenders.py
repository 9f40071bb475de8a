"""Close and open every tender whose deadline or opening time has passed — what the beat sweep does,
for operators after an outage or when no scheduler runs."""

from django.core.management.base import BaseCommand

from bidding.services import tenders_advance_due
from tenders.models import Tender


class Command(BaseCommand):
    help = "Close tenders past their deadline and open those past their opening time (same services as the sweep)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args, limit: int, **options):
        report = tenders_advance_due(limit=limit)
        references = dict(
            Tender.objects.filter(pk__in=report.closed + report.opened + report.waiting).values_list("pk", "reference")
        )
        for label, ids in (("closed", report.closed), ("opened", report.opened)):
            for tender_id in ids:
                self.stdout.write(f"{label}: {references.get(tender_id)} (#{tender_id})")
        for tender_id, error in report.failed:
            self.stderr.write(f"failed: #{tender_id}: {error}")
        self.stdout.write(
            self.style.SUCCESS(f"{len(report.closed)} closed, {len(report.opened)} opened, {len(report.failed)} failed")
        )
        if report.failed:
            raise SystemExit(1)

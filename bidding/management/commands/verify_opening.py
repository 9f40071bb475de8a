"""Re-run a tender's opening from its public bundle and name every difference from the record."""

from django.core.management.base import BaseCommand, CommandError

from bidding.bundle import opening_bundle
from sealclient.verify import verify_bundle
from tenders.models import Tender


class Command(BaseCommand):
    help = (
        "Decrypt every bid of an opened tender again from the public opening bundle, recompute commitments, "
        "reserve prices, planned and floor price, outcomes and ranking, and compare with the published record. "
        "Exits 1 when anything differs."
    )

    def add_arguments(self, parser):
        parser.add_argument("reference", help="the tender's reference")

    def handle(self, *args, reference: str, **options):
        tender = Tender.objects.filter(reference=reference).first()
        if tender is None:
            raise CommandError(f"No tender with the reference {reference}.")
        bundle = opening_bundle(tender)
        if bundle is None:
            raise CommandError(f"Tender {reference} has not been opened: nothing to verify yet.")
        report = verify_bundle(bundle)
        if report.ok:
            self.stdout.write(self.style.SUCCESS(report.summary()))
            return
        self.stderr.write(report.summary())
        raise SystemExit(1)

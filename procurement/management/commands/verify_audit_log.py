from django.core.management.base import BaseCommand, CommandError

from procurement.audit import audit_verify_chain


class Command(BaseCommand):
    help = "Recompute the audit log's hash chain; exit non-zero naming the first broken entry."

    def handle(self, *args, **options):
        result = audit_verify_chain()
        if not result.ok:
            raise CommandError(f"Audit chain BROKEN at entry #{result.first_broken_seq}: {result.problem}.")
        self.stdout.write(f"Audit chain intact: {result.entries} entries, head {result.last_hash}.")

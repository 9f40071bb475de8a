"""Check a bid receipt (the JSON file) against the public record: closing list and opening record."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bidding.receipts import receipt_verify


class Command(BaseCommand):
    help = "Verify a bid receipt (JSON) or a commitment hash against the tender's public record."

    def add_arguments(self, parser):
        parser.add_argument("receipt", help="path to the JSON receipt, or a 64-character commitment hash")

    def handle(self, *args, receipt: str, **options):
        path = Path(receipt)
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CommandError(f"cannot read {path}: {exc}") from exc
            result = receipt_verify(receipt_json=data if isinstance(data, dict) else {})
        else:
            result = receipt_verify(commitment=receipt)
        if result.consistent:
            self.stdout.write("receipt consistent: its ciphertext hashes give its commitment")
        self.stdout.write(str(result.message))
        if not result.ok:
            raise CommandError("not verified")
        self.stdout.write(self.style.SUCCESS("verified"))

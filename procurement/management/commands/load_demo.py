import importlib
import importlib.util

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# Tenders the public list does not show.
PRIVATE_TENDER_STATUSES = ("draft", "pending_approval")


class Command(BaseCommand):
    help = "Load the demo accounts and data (idempotent). Each app contributes `<app>/demo.py: load(stdout)`."

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("Demo data never loads in production settings (DEBUG=0).")
        # In INSTALLED_APPS order, which follows the dependency order of our apps.
        for config in apps.get_app_configs():
            if importlib.util.find_spec(f"{config.name}.demo") is None:
                continue
            module = importlib.import_module(f"{config.name}.demo")
            with transaction.atomic():
                module.load(self.stdout)
        self.stdout.write(self.summary())
        self.stdout.write(self.style.SUCCESS("Demo data ready. Every demo account's password: demo-pass-2026"))

    def summary(self) -> str:
        """What the portal holds now, counted the way its pages list it (the steps above only say
        what each of them added)."""
        counts = []
        for label, model, private in (
            ("tenders", "tenders.Tender", {"status__in": PRIVATE_TENDER_STATUSES}),
            ("bids", "bidding.Bid", None),
            ("awards", "contracts.Award", None),
            ("contracts", "contracts.Contract", None),
            ("supplier companies", "suppliers.Supplier", None),
            ("accounts", "procurement.User", None),
        ):
            try:
                manager = apps.get_model(model).objects
            except LookupError:
                continue
            text = f"{manager.count()} {label}"
            if private:
                text += f" ({manager.exclude(**private).count()} public)"
            counts.append(text)
        return "In the portal now: " + ", ".join(counts)

from django.core.management.base import BaseCommand

from suppliers.classifications import cpv_load


class Command(BaseCommand):
    help = "Load (or refresh) the CPV 2008 divisions and groups shipped in suppliers/data/cpv.csv."

    def handle(self, *args, **options):
        count = cpv_load()
        self.stdout.write(f"CPV classifications: {count}")

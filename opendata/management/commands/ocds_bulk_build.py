from django.core.management.base import BaseCommand

from opendata.services import bulk_file_build


class Command(BaseCommand):
    help = "Build the OCDS bulk file (record package of every public tender) now and print its SHA-256."

    def handle(self, *args, **options):
        bulk = bulk_file_build()
        self.stdout.write(f"{bulk.file.name}: {bulk.records} records, {bulk.size} bytes, sha256 {bulk.sha256}")

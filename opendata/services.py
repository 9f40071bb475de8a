"""Writes of the open-data app: only derived files (the bulk download), never the procurement record."""

import hashlib
import json
import tempfile

from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tenders.selectors import tenders_public

from . import frameworks, merge, ocds, packages
from .models import BulkFile

# Builds kept besides the newest, so that a download under way is not cut off by the next build.
KEEP = 2
CHUNK = 50


def bulk_file_build() -> BulkFile:
    """Write the record package of every public tender to a file, one record at a time, and keep its hash.

    Streamed to a temporary file (the dataset grows without bound; memory must not), then stored.
    """
    published = timezone.now()
    stamp = published.strftime("%Y%m%dT%H%M%SZ")
    name = f"ocds-records-{stamp}.json"
    uri = ocds.absolute(reverse("api-ocds-bulk-file", args=[name]))
    head = json.dumps(packages.record_package([], uri=uri, published=published), ensure_ascii=False)
    prefix, _, suffix = head.rpartition('"records": []')
    digest, size, count = hashlib.sha256(), 0, 0
    with tempfile.TemporaryFile() as out:

        def write(text: str) -> None:
            nonlocal size
            data = text.encode()
            digest.update(data)
            size += len(data)
            out.write(data)

        write(prefix + '"records": [')
        tenders = ocds.tenders_for_ocds(tenders_public().order_by("published_at", "id"))
        for tender in tenders.iterator(chunk_size=CHUNK):
            write(("," if count else "") + json.dumps(packages.tender_record(tender), ensure_ascii=False))
            count += 1
        # Call-off orders above the publication threshold are contracting processes of their own.
        orders = frameworks.orders_for_ocds(frameworks.orders_ocds_public().order_by("placed_at", "id"))
        for order in orders.iterator(chunk_size=CHUNK):
            write(
                ("," if count else "") + json.dumps(merge.record(frameworks.order_releases(order)), ensure_ascii=False)
            )
            count += 1
        write("]" + suffix)
        out.seek(0)
        bulk = BulkFile(published_at=published, records=count, size=size, sha256=digest.hexdigest())
        bulk.file.save(name, File(out), save=False)
    with transaction.atomic():
        bulk.save()
        stale = list(BulkFile.objects.order_by("-published_at", "-id")[KEEP + 1 :])
        BulkFile.objects.filter(pk__in=[b.pk for b in stale]).delete()
    for old in stale:
        old.file.delete(save=False)
    return bulk

"""Celery: the bulk file is rebuilt on a schedule (beat); a build is read-only on the record, so a
repeated or overlapping run only produces one more file (the oldest are pruned)."""

from celery import shared_task

from .services import bulk_file_build


@shared_task(time_limit=3600, soft_time_limit=3500)
def opendata_bulk_build() -> dict:
    bulk = bulk_file_build()
    return {"id": bulk.pk, "records": bulk.records, "sha256": bulk.sha256}

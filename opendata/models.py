"""The bulk download: the whole dataset as one OCDS record package, built by Celery, with its hash."""

from django.db import models
from django.utils.translation import gettext_lazy as _


def bulk_file_path(instance, filename: str) -> str:
    return f"opendata/{filename}"


class BulkFile(models.Model):
    """One build of the record package of every public tender. The newest complete one is served."""

    file = models.FileField(_("file"), upload_to=bulk_file_path, max_length=300)
    published_at = models.DateTimeField(_("published"))
    records = models.PositiveIntegerField(_("records"))
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("OCDS bulk file")
        verbose_name_plural = _("OCDS bulk files")

    def __str__(self):
        return f"OCDS bulk {self.published_at:%Y-%m-%d %H:%M} ({self.records} records)"

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    """The read side of open data (OCDS): reads every app; no app imports it."""

    name = "opendata"
    verbose_name = _("Open data")

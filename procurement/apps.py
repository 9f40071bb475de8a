from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = _("Portal kernel")

    def ready(self):
        # The language receivers first: a new account's language is stored before its welcome is written.
        from . import language, signals  # noqa: F401  (connect the account event receivers)
        from .navigation import nav_register_kernel

        nav_register_kernel()

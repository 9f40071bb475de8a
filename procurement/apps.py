from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = _("Portal kernel")

    def ready(self):
        from . import signals  # noqa: F401  (connects the account event receivers)
        from .navigation import nav_register_kernel

        nav_register_kernel()

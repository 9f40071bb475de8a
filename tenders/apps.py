from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TendersConfig(AppConfig):
    name = "tenders"
    verbose_name = _("Tenders")

    def ready(self):
        from procurement.navigation import NavItem, nav_register

        from . import checks  # noqa: F401 - registers the procedure policy check

        nav_register(
            NavItem(_("Tenders"), "tenders:list", order=100),
            NavItem(_("Workspace"), "tenders:workspace", "tenders.view_workspace", order=110),
            NavItem(_("Alerts"), "tenders:alerts", "tenders.manage_subscription", order=120),
            NavItem(_("Key custodian"), "tenders:custodian", "tenders.hold_tender_keys", order=850),
        )

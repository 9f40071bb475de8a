from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliersConfig(AppConfig):
    name = "suppliers"
    verbose_name = _("Suppliers")

    def ready(self):
        from procurement.navigation import NavItem, nav_register

        from . import signals  # noqa: F401  (joins invited users to their company on sign-in)

        nav_register(
            NavItem(_("Suppliers"), "suppliers:directory", order=400),
            NavItem(_("Sanctions register"), "suppliers:sanctions", order=410),
            NavItem(_("My company"), "suppliers:company", "suppliers.use_company_workspace", order=420),
            NavItem(_("Supplier vetting"), "suppliers:vetting_queue", "suppliers.view_vetting", order=700),
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "integrity"
    verbose_name = _("Integrity monitoring")

    def ready(self):
        from procurement.navigation import NavItem, nav_register

        nav_register(NavItem(_("Red flags"), "integrity:dashboard", "integrity.view_flags", order=950))

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BiddingConfig(AppConfig):
    name = "bidding"
    verbose_name = _("Bidding")

    def ready(self):
        from procurement.navigation import NavItem, nav_register

        from . import receivers  # noqa: F401 - connects the tenders signal receivers
        from .ranking import attach_rankings

        attach_rankings()
        nav_register(NavItem(_("My bids"), "bidding:my_bids", "bidding.view_own_bids", order=200))

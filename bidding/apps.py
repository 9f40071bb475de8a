from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BiddingConfig(AppConfig):
    name = "bidding"
    verbose_name = _("Bidding")

    def ready(self):
        from procurement.navigation import NavItem, nav_register
        from sealclient import rules as opening_rules
        from tenders.policies import attach

        from . import receivers  # noqa: F401 - connects the tenders signal receivers

        # The ranking lives in the reference client (the public verifier re-runs it without Django).
        for ranking in (
            opening_rules.LowestPriceRanking,
            opening_rules.FloorRateReserveRanking,
            opening_rules.BestValueRanking,
        ):
            attach(ranking.key, ranking=ranking)
        nav_register(NavItem(_("My bids"), "bidding:my_bids", "bidding.view_own_bids", order=200))

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = _("Catalogue shop")

    def ready(self):
        from procurement.navigation import NavItem, nav_register
        from tenders.signals import tender_cancelled, tender_unsuccessful

        from .services.mini_competitions import on_tender_ended

        # A second-stage competition ends with its tender (docs/architecture.md §11).
        tender_cancelled.connect(on_tender_ended, dispatch_uid="catalogue.mini_competition_cancelled")
        tender_unsuccessful.connect(on_tender_ended, dispatch_uid="catalogue.mini_competition_unsuccessful")

        nav_register(
            NavItem(_("Catalogue shop"), "catalogue:search", order=400),
            NavItem(_("Cart"), "catalogue:cart", "catalogue.order", order=405),
            NavItem(_("Catalogue orders"), "catalogue:orders", "catalogue.view_orders", order=410),
            NavItem(_("My catalogue items"), "catalogue:supplier_items", "catalogue.manage_items", order=415),
            NavItem(_("Catalogue review"), "catalogue:review", "catalogue.review_items", order=420),
            NavItem(_("Prompt payment"), "catalogue:payments", order=430),
            NavItem(_("Catalogue budget"), "catalogue:budget", "catalogue.view_budget", order=425),
        )

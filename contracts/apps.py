from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracts")

    def ready(self):
        from procurement.navigation import NavItem, nav_register

        from .policies import attach_evaluations

        attach_evaluations()
        nav_register(
            NavItem(_("Evaluations"), "contracts:evaluations", "contracts.view_evaluations", order=300),
            NavItem(_("Awards"), "contracts:awards", order=310),
            NavItem(_("Contracts"), "contracts:contracts", "contracts.view_contract_workspace", order=320),
            NavItem(_("Reports"), "contracts:reports", "contracts.view_reports", order=800),
        )

"""Dashboard panels from suppliers: the vetting queue for administrators; for a supplier user, where
the company stands when it cannot bid yet."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement.dashboards import Item, Panel, panel, panels_by_role

from . import selectors
from .models import Supplier


def admin_panels(user) -> list[Panel]:
    waiting = selectors.vetting_queue().filter(status=Supplier.Status.PENDING)
    return [
        panel(
            "vetting",
            order=60,
            title=gettext_lazy("Vetting queue"),
            rows=waiting,
            item=lambda s: Item(
                s.name,
                reverse("suppliers:vetting_detail", args=[s.pk]),
                detail=s.registration_number,
                action=_("Review the registration"),
            ),
            empty=gettext_lazy("No company is waiting for vetting."),
            more=(reverse("suppliers:vetting_queue"), gettext_lazy("The whole vetting queue")),
        )
    ]


def supplier_panels(user) -> list[Panel]:
    supplier = selectors.supplier_for_user(user)
    if supplier is None:
        return [
            Panel(
                key="company",
                order=19,
                title=gettext_lazy("Your company"),
                items=[Item(_("Register your company"), reverse("suppliers:register"), action=_("Start here"))],
            )
        ]
    eligibility = selectors.supplier_eligibility(supplier=supplier)
    if eligibility.eligible:
        return []
    return [
        Panel(
            key="company",
            order=19,
            title=gettext_lazy("Your company cannot bid yet"),
            items=[
                Item(str(reason), reverse("suppliers:company"), action=_("See your company's record"))
                for reason in eligibility.reasons
            ],
        )
    ]


def panels(user) -> list[Panel]:
    return panels_by_role(user, admin=admin_panels, supplier=supplier_panels)

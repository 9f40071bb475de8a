"""The budget holder's view of the entity's catalogue budget (docs/architecture.md §11, "Budgets").

Read-only: for each fiscal year, the budget, what orders have committed, what has been invoiced and
what has been paid. The budget itself is set in the admin site (platform admins, audited), as the
entity's finance office allocates it outside the portal.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from .models import EntityBudget, Invoice, Order

ZERO = Decimal("0")


@dataclass
class BudgetYear:
    budget: EntityBudget
    awaiting_approval: Decimal  # orders waiting for a second official (committed already)
    open_orders: Decimal  # placed or in delivery
    completed_orders: Decimal
    orders: int
    invoiced_unpaid: Decimal  # supply amounts of issued or approved invoices
    paid: Decimal  # supply amounts of paid invoices (before VAT, as committed is)
    paid_with_vat: Decimal

    @property
    def committed(self) -> Decimal:
        return self.budget.committed

    @property
    def remaining(self) -> Decimal:
        return self.budget.remaining

    @property
    def spent_pct(self) -> float | None:
        return None if not self.budget.amount else round(float(100 * self.paid / self.budget.amount), 1)

    @property
    def committed_pct(self) -> float | None:
        return None if not self.budget.amount else round(float(100 * self.committed / self.budget.amount), 1)


def _sum(field: str, condition: Q) -> Coalesce:
    return Coalesce(Sum(field, filter=condition), ZERO)


def budget_years(entity_id: int) -> list[BudgetYear]:
    """Every fiscal year's budget of the entity, newest first: three queries whatever the number of years."""
    budgets = list(EntityBudget.objects.filter(entity_id=entity_id).order_by("-year"))
    if not budgets:
        return []
    ids = [b.pk for b in budgets]
    orders = {
        row["budget_id"]: row
        for row in Order.objects.filter(budget_id__in=ids)
        .values("budget_id")
        .annotate(
            waiting=_sum("total", Q(status=Order.Status.PENDING_APPROVAL)),
            open=_sum("total", Q(status__in=[Order.Status.PLACED, Order.Status.IN_DELIVERY])),
            done=_sum("total", Q(status=Order.Status.COMPLETED)),
            count=Count("id", filter=~Q(status__in=Order.RELEASED_STATUSES)),
        )
    }
    invoices = {
        row["order__budget_id"]: row
        for row in Invoice.objects.filter(order__budget_id__in=ids)
        .values("order__budget_id")
        .annotate(
            unpaid=_sum("supply_amount", Q(status__in=Invoice.OPEN_STATUSES)),
            paid=_sum("supply_amount", Q(status=Invoice.Status.PAID)),
            paid_total=_sum("total", Q(status=Invoice.Status.PAID)),
        )
    }
    years = []
    for budget in budgets:
        o, i = orders.get(budget.pk, {}), invoices.get(budget.pk, {})
        years.append(
            BudgetYear(
                budget=budget,
                awaiting_approval=o.get("waiting", ZERO),
                open_orders=o.get("open", ZERO),
                completed_orders=o.get("done", ZERO),
                orders=o.get("count", 0),
                invoiced_unpaid=i.get("unpaid", ZERO),
                paid=i.get("paid", ZERO),
                paid_with_vat=i.get("paid_total", ZERO),
            )
        )
    return years

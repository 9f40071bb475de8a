"""The budget holder's page: the entity's catalogue budget, committed and spent (read-only)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from procurement.permissions import require
from tenders.selectors import official_entity

from .budgets import budget_years


@require_safe
@login_required
def budget(request):
    require(request.user, "catalogue.view_budget")
    entity = official_entity(request.user)
    return render(request, "catalogue/budget.html", {"entity": entity, "years": budget_years(entity.pk)})

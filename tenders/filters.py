"""The public tender list's search, filters and sort (django-filter), shared by the page and the API."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ProcuringEntity, Tender
from .selectors import significant_prefix, tenders_matching, tenders_search

PUBLIC_STATUS_CHOICES = [(s.value, s.label) for s in Tender.Status if s not in Tender.PRIVATE_STATUSES]

SORT_CHOICES = [
    ("relevance", _("Relevance")),
    ("newest", _("Newest first")),
    ("closing", _("Closing soonest")),
    ("value_desc", _("Highest value")),
    ("value_asc", _("Lowest value")),
]
_ORDERINGS = {
    "newest": ["-published_at", "-id"],
    "closing": ["submission_deadline", "-id"],
    "value_desc": ["-estimated_value", "-id"],
    "value_asc": ["estimated_value", "-id"],
}


class DateInput(forms.DateInput):
    input_type = "date"


class TenderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PUBLIC_STATUS_CHOICES)
    method = django_filters.ChoiceFilter(label=_("Method"), choices=Tender.Method.choices)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Tender.Category.choices)
    classification = django_filters.CharFilter(
        label=_("Classification code"), method="filter_classification", help_text=_("A code or its first digits")
    )
    entity = django_filters.ModelChoiceFilter(label=_("Procuring entity"), queryset=ProcuringEntity.objects.all())
    # Bounded like the column (numeric(18, 2)): "1e-999999" would otherwise reach PostgreSQL and fail there.
    value_min = django_filters.NumberFilter(
        label=_("Value from"), field_name="estimated_value", lookup_expr="gte", max_digits=18, decimal_places=2
    )
    value_max = django_filters.NumberFilter(
        label=_("Value to"), field_name="estimated_value", lookup_expr="lte", max_digits=18, decimal_places=2
    )
    closing_from = django_filters.DateFilter(
        label=_("Closing from"), field_name="submission_deadline", lookup_expr="date__gte", widget=DateInput
    )
    closing_to = django_filters.DateFilter(
        label=_("Closing until"), field_name="submission_deadline", lookup_expr="date__lte", widget=DateInput
    )
    sort = django_filters.ChoiceFilter(label=_("Sort by"), choices=SORT_CHOICES, method="filter_sort", empty_label=None)

    class Meta:
        model = Tender
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        return queryset  # in `qs`, with the sort: ranked (tenders_search) or not (tenders_matching)

    def filter_classification(self, queryset, name, value):
        matching = Tender.classifications.through.objects.filter(
            classification__code__startswith=significant_prefix(value.strip())
        )
        return queryset.filter(pk__in=matching.values("tender_id"))

    def filter_sort(self, queryset, name, value):
        return queryset

    @property
    def qs(self):
        if not hasattr(self, "_sorted_qs"):
            qs = super().qs
            valid = self.form.is_valid()
            sort = self.form.cleaned_data.get("sort") if valid else None
            query = (self.form.cleaned_data.get("q") or "") if valid else ""
            if sort in _ORDERINGS:
                qs = tenders_matching(qs, query).order_by(*_ORDERINGS[sort])
            elif query.strip():
                # Ranked after every other filter, so a window of candidates (a very common word)
                # holds only tenders the filters keep.
                qs = tenders_search(qs, query)
            else:
                qs = qs.order_by("-published_at", "-id")
            self._sorted_qs = qs
        return self._sorted_qs

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .countries import COUNTRIES
from .models import Classification, Supplier
from .selectors import suppliers_search


def _division_choices():
    return [
        (c.code, f"{c.code} {c.title}") for c in Classification.objects.filter(parent__isnull=True).order_by("code")
    ]


class DirectoryFilter(django_filters.FilterSet):
    """The public directory: by name or registration number, and by what the company supplies."""

    q = django_filters.CharFilter(
        label=_("Name or registration number"),
        method="filter_text",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    classification = django_filters.CharFilter(
        label=_("Classification code"),
        method="filter_classification",
        help_text=_("A CPV code or its first digits, e.g. 302 or 45200000"),
    )
    division = django_filters.ChoiceFilter(
        label=_("Division"), method="filter_classification", choices=_division_choices
    )
    country = django_filters.ChoiceFilter(label=_("Country"), choices=COUNTRIES)
    size_class = django_filters.ChoiceFilter(label=_("Size class"), choices=Supplier.SizeClass.choices)

    class Meta:
        model = Supplier
        fields: list[str] = []

    def filter_text(self, queryset, name, value):
        return suppliers_search(queryset=queryset, text=value)

    def filter_classification(self, queryset, name, value):
        return suppliers_search(queryset=queryset, classification=value.replace("-", "").strip())


class VettingFilter(DirectoryFilter):
    """The vetting queue: every company, waiting ones by default."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Supplier.Status.choices, empty_label=_("Any status")
    )
    submitted_since = django_filters.DateFilter(
        label=_("Submitted from"),
        field_name="submitted_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    submitted_until = django_filters.DateFilter(
        label=_("Submitted until"),
        field_name="submitted_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta(DirectoryFilter.Meta):
        pass

    def __init__(self, data=None, *args, **kwargs):
        # With no choice made, the queue shows the companies waiting for a decision.
        if data is not None and "status" not in data:
            data = data.copy()
            data["status"] = Supplier.Status.PENDING
        super().__init__(data, *args, **kwargs)

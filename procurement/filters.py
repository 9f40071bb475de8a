import django_filters
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry


class AuditEntryFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(label=_("Action"), lookup_expr="istartswith")
    object_type = django_filters.CharFilter(label=_("Object type"), lookup_expr="iexact")
    object_id = django_filters.CharFilter(label=_("Object id"))
    actor = django_filters.CharFilter(label=_("Actor email"), field_name="actor_label", lookup_expr="icontains")
    since = django_filters.DateFilter(label=_("From date"), field_name="at", lookup_expr="date__gte")
    until = django_filters.DateFilter(label=_("To date"), field_name="at", lookup_expr="date__lte")

    class Meta:
        model = AuditEntry
        fields: list[str] = []

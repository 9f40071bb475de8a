from django import forms
from django.utils.translation import gettext_lazy as _

from suppliers.models import Supplier
from tenders.models import ProcuringEntity, Tender

from .indicators import all_rules
from .models import Flag


def _rule_choices():
    return [("", _("All rules")), *((r.id, r.title) for r in all_rules())]


class FlagFilterForm(forms.Form):
    rule = forms.ChoiceField(label=_("Rule"), required=False, choices=_rule_choices)
    entity = forms.ModelChoiceField(
        label=_("Procuring entity"), required=False, queryset=ProcuringEntity.objects.order_by("name_ko")
    )
    supplier = forms.ModelChoiceField(
        label=_("Supplier"), required=False, queryset=Supplier.objects.order_by("name_ko")
    )
    tender = forms.IntegerField(label=_("Tender id"), required=False, min_value=1, widget=forms.HiddenInput)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    review = forms.ChoiceField(label=_("Review"), required=False, choices=[("", _("Any")), *Flag.Review.choices])
    include_cleared = forms.BooleanField(label=_("Include cleared flags"), required=False)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "rule": data["rule"],
            "entity_id": data["entity"].pk if data["entity"] else None,
            "supplier_id": data["supplier"].pk if data["supplier"] else None,
            "tender_id": data["tender"],
            "since": data["since"],
            "until": data["until"],
            "review": data["review"],
            "include_cleared": data["include_cleared"],
        }


class DraftCheckForm(forms.Form):
    """The tender form's fields the drafting rules read (same names as in the tender form)."""

    method = forms.ChoiceField(choices=Tender.Method.choices)
    category = forms.ChoiceField(choices=Tender.Category.choices)
    submission_deadline = forms.DateTimeField()


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[c for c in Flag.Review.choices if c[0] != Flag.Review.OPEN]
    )
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=_("What you checked and what you found. Recorded in the audit log."),
    )

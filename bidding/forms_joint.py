"""Forms for joint bidding and bid securities: a partner is named by its business registration number."""

from django import forms
from django.utils.translation import gettext_lazy as _

from suppliers.models import Supplier
from suppliers.validators import normalise_registration_number

from .models import Consortium, SecurityIssuer
from .services.consortium import MemberTerms

PARTNER_ROWS = 4


class ConsortiumForm(forms.Form):
    name = forms.CharField(label=_("Consortium name"), max_length=200)
    performance = forms.ChoiceField(
        label=_("Form of performance"), choices=Consortium.Performance.choices, widget=forms.RadioSelect
    )
    lead_share = forms.DecimalField(label=_("Your company's share (%)"), max_digits=5, decimal_places=2)
    lead_scope = forms.CharField(label=_("Your company's part (split performance)"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, PARTNER_ROWS + 1):
            self.fields[f"partner{i}_brn"] = forms.CharField(
                label=_("Partner %(n)s: business registration number") % {"n": i}, max_length=32, required=i == 1
            )
            self.fields[f"partner{i}_share"] = forms.DecimalField(
                label=_("Partner %(n)s: share (%%)") % {"n": i}, max_digits=5, decimal_places=2, required=False
            )
            self.fields[f"partner{i}_scope"] = forms.CharField(
                label=_("Partner %(n)s: part (split performance)") % {"n": i}, max_length=300, required=False
            )

    def partner_rows(self):
        return [
            (self[f"partner{i}_brn"], self[f"partner{i}_share"], self[f"partner{i}_scope"])
            for i in range(1, PARTNER_ROWS + 1)
        ]

    def clean(self):
        cleaned = super().clean()
        partners = []
        for i in range(1, PARTNER_ROWS + 1):
            brn = (cleaned.get(f"partner{i}_brn") or "").strip()
            if not brn:
                continue
            number = normalise_registration_number(brn)
            supplier = Supplier.objects.filter(registration_number=number).first()
            if supplier is None:
                self.add_error(f"partner{i}_brn", _("No registered company has this number."))
                continue
            share = cleaned.get(f"partner{i}_share")
            if share is None:
                self.add_error(f"partner{i}_share", _("Give this partner's share."))
                continue
            partners.append(MemberTerms(supplier, share, cleaned.get(f"partner{i}_scope") or ""))
        cleaned["partners"] = partners
        return cleaned


class BidSecurityForm(forms.Form):
    issuer = forms.ModelChoiceField(label=_("Issuer"), queryset=SecurityIssuer.objects.filter(is_active=True))
    number = forms.CharField(label=_("Guarantee number"), max_length=60)
    amount = forms.DecimalField(label=_("Amount"), max_digits=18, decimal_places=2, min_value=0)
    valid_until = forms.DateField(label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}))


class CallForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

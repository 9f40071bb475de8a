"""The bid form as the browser shows it (BidForm, never posted: the page checks, confirms and seals
it) and what the page posts (SealedBidForm: ciphertexts, the salted hash, the idempotency key)."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from procurement.errors import Invalid
from procurement.web import form_add_domain_error
from tenders.policies import evaluation_policy

from .content import BidInput, bid_input_clean
from .models import CureRequest
from .services.submission import SealedSubmission, reserve_pick_rules


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def lines_from_text(text: str) -> list[dict]:
    """'description | quantity | unit price' per line → raw line dicts (checked by content.price_lines)."""
    lines = []
    for raw in (text or "").splitlines():
        if not raw.strip():
            continue
        parts = [p.strip() for p in raw.split("|")]
        while len(parts) < 3:
            parts.append("")
        description = " | ".join(parts[:-2]) if len(parts) > 3 else parts[0]
        lines.append({"description": description, "quantity": parts[-2], "unit_price": parts[-1]})
    return lines


class BidForm(forms.Form):
    # Generated when the form is rendered; a double click or a resubmitted page sends the same key,
    # and the service returns the first receipt instead of a second version.
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    price = forms.CharField(
        label=_("Total price"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"}),
    )
    lines = forms.CharField(
        label=_("Price lines (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
        help_text=_("One item per line: description | quantity | unit price. The lines must add up to the total."),
    )
    reserve_picks = forms.TypedMultipleChoiceField(
        label=_("Reserve prices you pick"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    documents = MultipleFileField(
        label=_("Technical proposal and other documents"),
        required=False,
        help_text=_("PDF, office documents or images. They are encrypted in memory before they are stored."),
    )
    no_conflict_of_interest = forms.BooleanField(
        label=_("I declare that my company has no conflict of interest with the procuring entity or this tender.")
    )
    no_collusion = forms.BooleanField(
        label=_("I declare that this bid was prepared independently, without collusion with any other bidder.")
    )

    def __init__(self, *args, tender, **kwargs):
        super().__init__(*args, **kwargs)
        self.tender = tender
        self.fields["price"].label = _("Total price (%(currency)s)") % {"currency": tender.currency}
        self.reserve_count, self.picks_required = reserve_pick_rules(tender)
        if self.reserve_count:
            self.fields["reserve_picks"].choices = [(n, str(n)) for n in range(1, self.reserve_count + 1)]
            self.fields["reserve_picks"].required = True
            self.fields["reserve_picks"].help_text = _(
                "Pick exactly %(n)s numbers. The prices themselves stay sealed until opening; the most "
                "picked numbers make the planned price."
            ) % {"n": self.picks_required}
        else:
            del self.fields["reserve_picks"]
        if evaluation_policy(tender.evaluation_method).needs_technical_proposal:
            self.fields["documents"].required = True
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4())

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            cleaned["bid"] = bid_input_clean(
                price=cleaned.get("price"),
                currency=self.tender.currency,
                lines=lines_from_text(cleaned.get("lines", "")),
                declarations={
                    "no_conflict_of_interest": cleaned.get("no_conflict_of_interest") is True,
                    "no_collusion": cleaned.get("no_collusion") is True,
                },
                reserve_picks=cleaned.get("reserve_picks") or (),
                reserve_count=self.reserve_count,
                picks_required=self.picks_required,
            )
        except Invalid as exc:
            form_add_domain_error(self, exc)
        return cleaned

    @property
    def bid_input(self) -> BidInput:
        return self.cleaned_data["bid"]


class SealedBidForm(forms.Form):
    idempotency_key = forms.UUIDField()
    plaintext_hash = forms.RegexField(r"^[0-9a-f]{64}$")
    content = forms.FileField()
    documents = MultipleFileField(required=False)
    # Two-envelope tenders: the price envelope, sealed separately.
    price_content = forms.FileField(required=False)
    price_plaintext_hash = forms.RegexField(r"^[0-9a-f]{64}$", required=False)

    def sealed_submission(self) -> SealedSubmission:
        price = self.cleaned_data.get("price_content")
        return SealedSubmission(
            content=self.cleaned_data["content"].read(),
            documents=tuple(f.read() for f in self.cleaned_data.get("documents") or []),
            plaintext_hash=self.cleaned_data["plaintext_hash"],
            price=price.read() if price else b"",
            price_plaintext_hash=self.cleaned_data.get("price_plaintext_hash") or "",
        )


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(label=_("Yes, withdraw my company's bid. A withdrawn bid cannot be submitted again."))


class VerifyForm(forms.Form):
    commitment = forms.CharField(
        label=_("Commitment hash"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "portal-mono"}),
    )
    receipt = forms.FileField(label=_("…or upload the JSON receipt"), required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("commitment") and not cleaned.get("receipt"):
            raise forms.ValidationError(_("Paste a commitment hash or upload a JSON receipt."))
        return cleaned


class TechnicalDecisionForm(forms.Form):
    """The compliance decision on one bid's technical envelope (two-envelope tenders)."""

    compliant = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Compliant")), ("no", _("Not compliant"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (public)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the bid does not comply. The bidder and the public will read it."),
    )


class CureRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=CureRequest.Kind.choices)
    defect = forms.CharField(
        label=_("What is missing or defective"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CureUploadForm(forms.Form):
    file = forms.FileField(label=_("The corrected document"))

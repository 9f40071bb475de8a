"""Forms validate input and say what is wrong next to the field; the services re-check everything."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tenders.models import Tender

from .services.complaints import MAX_COMPLAINT_DOCUMENTS

User = get_user_model()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ReviewForm(forms.Form):
    """Qualification review of the next bid: pass, or fail with the reason the bidder will see."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("pass", _("Qualified")), ("fail", _("Disqualified"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to disqualify: the bidder sees it."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "fail" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for disqualifying the bid; the bidder will see it."))
        return data


class CommitteeMemberForm(forms.Form):
    email = forms.EmailField(label=_("Email of the evaluator or official"))

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise ValidationError(_("No account uses this email address."))
        self.user = user
        return email


class DeclarationForm(forms.Form):
    no_conflict = forms.TypedChoiceField(
        label=_("Declaration"),
        coerce=lambda v: v == "yes",
        choices=[
            ("yes", _("I have no conflict of interest with any of these bidders.")),
            ("no", _("I have a conflict of interest and withdraw from this evaluation.")),
        ],
        widget=forms.RadioSelect,
    )
    statement = forms.CharField(
        label=_("Statement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Describe the conflict, if you have one."),
    )

    def clean(self):
        data = super().clean()
        if data.get("no_conflict") is False and not (data.get("statement") or "").strip():
            self.add_error("statement", _("Describe the conflict of interest."))
        return data


class ScoreForm(forms.Form):
    """One number field per (bid, criterion), built from the tender's criteria."""

    def __init__(self, *args, bids, criteria, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        existing = existing or {}
        self.cells = []
        for assessment in bids:
            row = []
            for index, criterion in enumerate(criteria):
                name = f"score-{assessment.bid_id}-{index}"
                self.fields[name] = forms.DecimalField(
                    label=_("%(criterion)s for %(supplier)s (0–%(max)s)")
                    % {
                        "criterion": criterion["name"],
                        "supplier": assessment.bid.supplier.name,
                        "max": criterion["max_score"],
                    },
                    required=False,
                    min_value=0,
                    max_value=criterion["max_score"],
                    decimal_places=2,
                    max_digits=7,
                    initial=getattr(existing.get((assessment.bid_id, index)), "value", None),
                    widget=forms.NumberInput(attrs={"step": "0.01", "min": 0, "max": criterion["max_score"]}),
                )
                row.append(self[name])
            self.cells.append((assessment, row))

    def scores(self) -> dict:
        result = {}
        for name, value in self.cleaned_data.items():
            _prefix, bid_id, index = name.split("-")
            result[(int(bid_id), int(index))] = value
        return result


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class ComplaintForm(forms.Form):
    grounds = forms.CharField(
        label=_("Grounds of the complaint"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Say which decision you contest and why; the procuring entity must answer with reasons."),
    )
    documents = MultipleFileField(
        label=_("Supporting documents"),
        required=False,
        help_text=_("Up to %(n)s files: PDF, images or office documents.") % {"n": MAX_COMPLAINT_DOCUMENTS},
    )


class ComplaintDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Answer"),
        choices=[
            ("dismissed", _("Dismiss the complaint")),
            ("upheld", _("Uphold the complaint (the award is cancelled and the evaluation reopened)")),
        ],
        widget=forms.RadioSelect,
    )
    decision = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 5}))


class ContractTermsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    value = forms.DecimalField(label=_("Contract value"), max_digits=18, decimal_places=2, min_value=0)
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    end_date = forms.DateField(label=_("End date"), widget=DateInput())
    deliverables = forms.CharField(label=_("Deliverables"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return data


class AmendmentForm(ContractTermsForm):
    reason = forms.CharField(label=_("Reason for the amendment"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["title"]


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=300, required=False)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput())
    amount = forms.DecimalField(label=_("Amount"), required=False, max_digits=18, decimal_places=2, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Numbered labels, so that each row's fields have names of their own (screen readers).
        index = self.prefix.rsplit("-", 1)[-1] if self.prefix else "0"
        number = int(index) + 1 if index.isdigit() else 1
        self.fields["title"].label = _("Milestone %(n)s") % {"n": number}
        self.fields["due_date"].label = _("Due date of milestone %(n)s") % {"n": number}
        self.fields["amount"].label = _("Amount of milestone %(n)s") % {"n": number}


MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=3, max_num=30)


def milestones_from(formset) -> list[dict]:
    return [
        {
            "title": f.cleaned_data["title"],
            "due_date": f.cleaned_data.get("due_date"),
            "amount": f.cleaned_data.get("amount"),
        }
        for f in formset.forms
        if f.cleaned_data.get("title")
    ]


class SignForm(forms.Form):
    document_sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm = forms.BooleanField(
        label=_("I have read the contract document identified by this SHA-256 and sign it for my organisation."),
        required=True,
    )


class DeliveryForm(forms.Form):
    note = forms.CharField(label=_("Delivery note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ExportFilterForm(forms.Form):
    """Filters shared by the auditors' CSV exports."""

    entity = forms.CharField(label=_("Procuring entity (code or name)"), required=False)
    status = forms.CharField(label=_("Status"), required=False)
    evaluation_method = forms.ChoiceField(
        label=_("Evaluation method"), required=False, choices=[("", "—"), *Tender.EvaluationMethod.choices]
    )
    since = forms.DateField(label=_("From date"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To date"), required=False, widget=DateInput())

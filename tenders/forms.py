"""Forms validate input and explain each problem next to its field; the services re-check everything."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procurement.uploads import validate_upload

from .models import BidSecurityKind, Custodian, ProcuringEntity, Tender, TenderDocument
from .policies import EVALUATION_POLICIES, evaluation_policy, method_policy, methods_officials_choose
from .services import AMENDABLE_FIELDS
from .timeline import TIMELINE_FIELDS, amendment_min_deadline, format_local, proposed_extension, timeline_errors

PARAM_FIELDS = (
    "floor_rate",
    "reserve_range_pct",
    "reserve_count",
    "picks_per_bidder",
    "picks_averaged",
    "technical_weight",
    "price_weight",
    "technical_threshold_pct",
    "technical_criteria",
)


def _classification_choices(form) -> None:
    from suppliers.models import Classification

    form.fields["classifications"].queryset = Classification.objects.order_by("code")


class CpvPicker(forms.CheckboxSelectMultiple):
    """Classifications as a searchable tree of divisions and groups (templates/includes/cpv_picker.html,
    chosen by templates/includes/field.html from this widget's type), not a bare multi-select."""


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _zone_help(text) -> str:
    return f"{text} ({settings.TIME_ZONE})"


def criteria_to_text(criteria: list[dict]) -> str:
    return "\n".join(f"{c['name']} | {c['max_score']}" for c in criteria or [])


def criteria_from_text(text: str) -> list[dict]:
    criteria = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        name, _sep, score = line.rpartition("|")
        if not _sep:
            name, score = line, ""
        criteria.append({"name": name.strip(), "max_score": score.strip()})
    return criteria


class EvaluationParamsMixin(forms.Form):
    """The evaluation parameters as plain fields; the policy of the chosen method validates them."""

    floor_rate = forms.DecimalField(
        label=_("Floor rate (%)"), required=False, max_digits=7, decimal_places=3, help_text=_("e.g. 87.745")
    )
    reserve_range_pct = forms.DecimalField(
        label=_("Reserve price range (± %)"), required=False, max_digits=5, decimal_places=2
    )
    reserve_count = forms.IntegerField(label=_("Number of reserve prices drawn"), required=False)
    picks_per_bidder = forms.IntegerField(label=_("Reserve prices each bidder picks"), required=False)
    picks_averaged = forms.IntegerField(label=_("Most-picked reserve prices averaged"), required=False)
    technical_weight = forms.IntegerField(label=_("Technical weight (%)"), required=False)
    price_weight = forms.IntegerField(label=_("Price weight (%)"), required=False)
    technical_threshold_pct = forms.IntegerField(
        label=_("Technical qualifying score (percent of the technical maximum)"), required=False
    )
    technical_criteria = forms.CharField(
        label=_("Technical criteria"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: name | maximum score"),
    )

    def initial_params(self, method: str, params: dict) -> None:
        merged = {**evaluation_policy(method).defaults(), **(params or {})}
        for name in PARAM_FIELDS:
            value = merged.get(name)
            if name == "technical_criteria":
                value = criteria_to_text(value or [])
            self.initial.setdefault(name, value)

    def clean_evaluation_params(self, method: str | None) -> dict:
        if not method:
            return {}
        policy = EVALUATION_POLICIES[method]
        raw = {}
        for name in policy.param_names:
            value = self.cleaned_data.get(name)
            if name == "technical_criteria":
                value = criteria_from_text(value) if value else None
            raw[name] = value
        try:
            return policy.clean(raw)
        except ValidationError as exc:
            for param, messages in exc.message_dict.items():
                self.add_error(param, messages)
            return {}


class TenderForm(EvaluationParamsMixin, forms.ModelForm):
    """Drafting: everything about the tender, validated as it would be at publication now."""

    class Meta:
        model = Tender
        fields = [
            "title",
            "description",
            "method",
            "method_justification",
            "category",
            "classifications",
            "estimated_value",
            "currency",
            "delivery_place",
            "delivery_period",
            "eligibility",
            "evaluation_method",
            "envelopes",
            "clarification_deadline",
            "submission_deadline",
            "opening_at",
            "consortium_allowed",
            "bid_security_kind",
            "bid_security_value",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "method": forms.RadioSelect,
            "category": forms.RadioSelect,
            "evaluation_method": forms.RadioSelect,
            "envelopes": forms.RadioSelect,
            "method_justification": forms.Textarea(attrs={"rows": 3}),
            "eligibility": forms.Textarea(attrs={"rows": 4}),
            "clarification_deadline": DateTimeLocalInput,
            "submission_deadline": DateTimeLocalInput,
            "opening_at": DateTimeLocalInput,
            "classifications": CpvPicker,
        }
        help_texts = {
            "description": _("Formatting (paragraphs, lists, tables, links) is kept; scripts and styles are removed."),
            "method_justification": _("Required for limited (direct) procurement."),
            "estimated_value": _("Value added tax included."),
            "bid_security_value": _("For a percentage, the rate of the bid price (e.g. 5); otherwise the amount."),
            "envelopes": _(
                "With two envelopes the technical envelopes open first; only the price envelopes of "
                "technically compliant bids are ever opened. For best value the committee scores the "
                "technical envelopes and the threshold decides compliance."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in TIMELINE_FIELDS:
            self.fields[name].required = True
            self.fields[name].help_text = _zone_help(_("Date and time"))
        self.fields["classifications"].required = False
        self.fields["classifications"].queryset = self.fields["classifications"].queryset.order_by("code")
        # Methods another service starts (a framework's second stage) are not offered, except to keep
        # the one a draft already has.
        offered = {*methods_officials_choose(), self.instance.method if self.instance.pk else None}
        self.fields["method"].choices = [c for c in self.fields["method"].choices if c[0] in offered]
        # Not asked for: no bid security and one envelope (older clients and forms do not send the fields).
        self.fields["bid_security_kind"].required = False
        self.fields["envelopes"].required = False
        self.initial_params(self.instance.evaluation_method, self.instance.evaluation_params)

    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("method")
        if method and method_policy(method).needs_justification and not cleaned.get("method_justification", "").strip():
            self.add_error("method_justification", _("A limited (direct) procurement needs a written justification."))
        cleaned["evaluation_params"] = self.clean_evaluation_params(cleaned.get("evaluation_method"))
        cleaned["bid_security_kind"] = cleaned.get("bid_security_kind") or BidSecurityKind.NONE
        if "envelopes" not in self.errors:
            cleaned["envelopes"] = cleaned.get("envelopes") or 1
        evaluation_method, envelopes = cleaned.get("evaluation_method"), cleaned.get("envelopes")
        if evaluation_method and envelopes and envelopes not in evaluation_policy(evaluation_method).envelope_options:
            self.add_error(
                "envelopes", _("This evaluation method cannot be used with %(n)s envelopes.") % {"n": envelopes}
            )
        if method and cleaned.get("category"):
            for field, message in timeline_errors(
                method=method,
                category=cleaned["category"],
                clarification_deadline=cleaned.get("clarification_deadline"),
                submission_deadline=cleaned.get("submission_deadline"),
                opening_at=cleaned.get("opening_at"),
                now=timezone.now(),
            ).items():
                if field not in self.errors:
                    self.add_error(field, message)
        return cleaned

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name != "classifications"}
        data["evaluation_params"] = self.cleaned_data["evaluation_params"]
        return data


class AmendmentForm(EvaluationParamsMixin, forms.Form):
    """An addendum: the amendable fields prefilled from the tender, a reason, optionally a new document.

    When the amendment comes too close to the deadline, the new deadline is proposed (prefilled).
    """

    reason = forms.CharField(
        label=_("Reason for the amendment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Published with the amendment."),
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 8}), required=False)
    method_justification = forms.CharField(
        label=_("Justification for the method"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    classifications = forms.ModelMultipleChoiceField(
        label=_("Classifications"), queryset=None, required=False, widget=CpvPicker
    )
    estimated_value = forms.DecimalField(label=_("Estimated value"), max_digits=18, decimal_places=2)
    delivery_place = forms.CharField(label=_("Place of delivery"), max_length=300, required=False)
    delivery_period = forms.CharField(label=_("Delivery period"), max_length=200, required=False)
    eligibility = forms.CharField(
        label=_("Eligibility requirements"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    clarification_deadline = forms.DateTimeField(label=_("Clarification deadline"), widget=DateTimeLocalInput)
    submission_deadline = forms.DateTimeField(label=_("Submission deadline"), widget=DateTimeLocalInput)
    opening_at = forms.DateTimeField(label=_("Opening time"), widget=DateTimeLocalInput)
    new_document = forms.FileField(label=_("Add a document"), required=False)
    new_document_title = forms.CharField(label=_("Title of the new document"), max_length=200, required=False)
    new_document_kind = forms.ChoiceField(
        label=_("Kind of the new document"),
        choices=TenderDocument.Kind.choices,
        initial=TenderDocument.Kind.SPECIFICATION,
        required=False,
    )

    def __init__(self, *args, tender: Tender, **kwargs):
        self.tender = tender
        super().__init__(*args, **kwargs)
        _classification_choices(self)
        now = timezone.now()
        for name in AMENDABLE_FIELDS:
            if name in self.fields:
                self.initial.setdefault(name, getattr(tender, name))
        self.initial.setdefault("classifications", list(tender.classifications.all()))
        for name in TIMELINE_FIELDS:
            self.fields[name].help_text = _zone_help(_("Date and time"))
        self.initial_params(tender.evaluation_method, tender.evaluation_params)
        self.param_names = EVALUATION_POLICIES[tender.evaluation_method].param_names
        for name in PARAM_FIELDS:
            if name not in self.param_names:
                del self.fields[name]
        self.proposed_deadline = proposed_extension(submission_deadline=tender.submission_deadline, now=now)
        if self.proposed_deadline is not None:
            shift = self.proposed_deadline - tender.submission_deadline
            self.initial["submission_deadline"] = self.proposed_deadline
            self.initial["opening_at"] = tender.opening_at + shift
            self.fields["submission_deadline"].help_text = _(
                "Less than %(days)s days remain: an amendment must move the deadline to %(earliest)s or later. "
                "The new date is proposed."
            ) % {"days": settings.AMENDMENT_EXTENSION_DAYS, "earliest": format_local(amendment_min_deadline(now=now))}

    def clean_new_document(self):
        file = self.cleaned_data.get("new_document")
        if file:
            validate_upload(file)
        return file

    def clean(self):
        cleaned = super().clean()
        cleaned["evaluation_params"] = self.clean_evaluation_params(self.tender.evaluation_method)
        tender = self.tender
        now = timezone.now()
        moved = tuple(
            name for name in TIMELINE_FIELDS if cleaned.get(name) is not None and cleaned[name] != getattr(tender, name)
        )
        for field, message in timeline_errors(
            method=tender.method,
            category=tender.category,
            clarification_deadline=cleaned.get("clarification_deadline"),
            submission_deadline=cleaned.get("submission_deadline"),
            opening_at=cleaned.get("opening_at"),
            now=now,
            period_start=tender.published_at,
            future_fields=moved,
        ).items():
            if field not in self.errors:
                self.add_error(field, message)
        deadline = cleaned.get("submission_deadline")
        earliest = amendment_min_deadline(now=now)
        if deadline and "submission_deadline" not in self.errors and deadline < earliest:
            self.add_error(
                "submission_deadline",
                _("An amendment must leave bidders at least %(days)s days: move the deadline to %(earliest)s or later.")
                % {"days": settings.AMENDMENT_EXTENSION_DAYS, "earliest": format_local(earliest)},
            )
        return cleaned

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in AMENDABLE_FIELDS if name in self.cleaned_data}
        data["evaluation_params"] = self.cleaned_data["evaluation_params"]
        return data


class TenderDocumentForm(forms.ModelForm):
    class Meta:
        model = TenderDocument
        fields = ["kind", "title", "file"]
        help_texts = {"file": _("PDF, images, drawings or office documents; executables are refused.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False

    def clean_file(self):
        file = self.cleaned_data["file"]
        validate_upload(file)
        return file


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class QuestionForm(forms.Form):
    question = forms.CharField(
        label=_("Your question"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("Questions and answers are published without the name of the person or company who asked."),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)


class InvitationForm(forms.Form):
    suppliers = forms.ModelMultipleChoiceField(
        label=_("Invited suppliers"), queryset=None, widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from suppliers.models import Supplier

        self.fields["suppliers"].queryset = Supplier.objects.filter(status=Supplier.Status.APPROVED).order_by("name_ko")


class SubscriptionForm(forms.Form):
    is_active = forms.BooleanField(label=_("Send me alerts about new tenders"), required=False, initial=True)
    classifications = forms.ModelMultipleChoiceField(
        label=_("Classifications"),
        queryset=None,
        required=False,
        widget=CpvPicker,
        help_text=_("A tender matches when its classification falls under, or in the same group as, one of these."),
    )
    entities = forms.ModelMultipleChoiceField(
        label=_("Procuring entities"),
        queryset=ProcuringEntity.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _classification_choices(self)


def default_timeline(*, method: str = Tender.Method.OPEN, category: str = Tender.Category.GOODS) -> dict:
    """Sensible initial dates for a new draft: the minimum period plus a day, at 10:00 local time."""
    now = timezone.localtime()
    period = method_policy(method).min_period(category) + timedelta(days=1)
    submission = (now + period).replace(hour=10, minute=0, second=0, microsecond=0)
    return {
        "clarification_deadline": submission - timedelta(days=3),
        "submission_deadline": submission,
        "opening_at": submission + timedelta(hours=1),
    }


class CustodianChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, custodian: Custodian) -> str:
        who = custodian.user.get_full_name() or custodian.user.email if custodian.user else _("The platform")
        return f"{who} · {custodian.get_kind_display()} · {custodian.fingerprint}"


class TenderCustodiansForm(forms.Form):
    """Key custodians and how many of them open: a draft's (tenders.services.tender_custodians_set) or
    an entity's defaults (entity_custodian_defaults_set); the services apply the rules (k ≥ 2, k ≤ n,
    at most one platform custodian)."""

    custodians = CustodianChoice(
        label=_("Key custodians"), queryset=Custodian.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    custodian_threshold = forms.IntegerField(
        label=_("Custodians needed to open"),
        min_value=2,
        help_text=_("Any this many of the chosen custodians together can open the bids after the deadline."),
    )

    def __init__(self, *args, eligible, chosen: list[int], threshold: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["custodians"].queryset = eligible
        self.initial.setdefault("custodians", chosen)
        self.initial.setdefault("custodian_threshold", threshold)


class ObserverInviteForm(forms.Form):
    email = forms.EmailField(label=_("Email of the outside observer"))

"""Forms validate input and explain each problem next to its field; the services re-check everything."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .countries import COUNTRIES
from .models import Classification, Sanction, Supplier, SupplierDocument, SupplierMember
from .selectors import classifications_for_picking
from .validators import validate_registration_number


class ClassificationChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Classification) -> str:
        return f"{obj.code} {obj.title}"


class SupplierForm(forms.ModelForm):
    """Registration, and later edits of the profile (identity fields disabled once approved)."""

    country = forms.ChoiceField(label=_("Country of registration"), choices=COUNTRIES, initial="KR")
    classifications = ClassificationChoiceField(
        label=_("What the company supplies"),
        queryset=Classification.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Pick the CPV divisions and groups the company supplies; type in the search box to narrow the list."
        ),
    )

    class Meta:
        model = Supplier
        fields = [
            "name_ko",
            "name_en",
            "country",
            "registration_number",
            "representative",
            "address",
            "contact_email",
            "phone",
            "size_class",
            "classifications",
        ]
        widgets = {
            "size_class": forms.RadioSelect,
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }
        help_texts = {
            "registration_number": _(
                "Korea: the 10-digit 사업자등록번호 (e.g. 123-45-67890); other countries: the national company number."
            ),
            "name_en": _("The name in Latin letters, as on English-language documents."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["classifications"].queryset = classifications_for_picking()
        for name in ("representative", "address", "contact_email", "phone"):
            self.fields[name].required = True
        if self.instance.pk and not self.instance.identity_editable:
            for name in ("name_ko", "name_en", "country", "registration_number"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "Fixed after vetting. Write to the platform administrators to change it."
                )

    def clean(self):
        cleaned = super().clean()
        country, number = cleaned.get("country"), cleaned.get("registration_number")
        if country and number and not self.fields["registration_number"].disabled:
            try:
                cleaned["registration_number"] = validate_registration_number(country, number)
            except ValidationError as exc:
                self.add_error("registration_number", exc)
        return cleaned

    def _get_validation_exclusions(self):
        # The service decides about duplicates, with a message next to the number (also under a race);
        # leaving the number out here skips the model's unique-constraint check.
        return {*super()._get_validation_exclusions(), "registration_number"}

    def service_data(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "classifications"}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("The company sees this message."),
    )


class OptionalReasonForm(ReasonForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = False
        self.fields["reason"].label = _("Note (optional)")


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=SupplierDocument.Kind.choices)
    title = forms.CharField(label=_("Title (optional)"), max_length=200, required=False)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, PNG or JPEG scan, DOCX, XLSX or HWP. The file type is checked by its content."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.docx,.xlsx,.hwp,.hwpx"}),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(label=_("Role"), choices=SupplierMember.Role.choices, initial=SupplierMember.Role.BIDDER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=SupplierMember.Role.choices)


class SanctionForm(forms.ModelForm):
    class Meta:
        model = Sanction
        fields = ["starts_on", "ends_on", "legal_ground", "deciding_body", "reason"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "reason": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "legal_ground": _("e.g. 국가를 당사자로 하는 계약에 관한 법률 제27조 제1항"),
            "deciding_body": _("The body that decided the sanction, e.g. 조달청."),
            "ends_on": _("Inclusive: the company may bid again the day after."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].initial = timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The sanction cannot end before it starts."))
        return cleaned

    def _post_clean(self):
        # The service creates the row (supplier and recorder are not form fields).
        pass

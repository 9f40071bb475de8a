"""Forms validate input and say what is wrong next to the field; the services re-check everything."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from suppliers.models import Classification, Supplier
from tenders.forms import DateTimeLocalInput, _zone_help

from .models import Certification, Region


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    cpv = forms.RegexField(label=_("CPV code"), regex=r"^\d{2,8}$", required=False, max_length=8)
    price_min = forms.DecimalField(label=_("Price from"), required=False, min_value=0, max_digits=18, decimal_places=2)
    price_max = forms.DecimalField(label=_("Price to"), required=False, min_value=0, max_digits=18, decimal_places=2)
    region = forms.ChoiceField(label=_("Delivery region"), required=False, choices=[("", "—"), *Region.choices])
    max_lead_days = forms.IntegerField(label=_("Delivered within (days)"), required=False, min_value=0, max_value=365)
    size = forms.ChoiceField(label=_("Supplier size"), required=False, choices=[("", "—"), *Supplier.SizeClass.choices])
    certification = forms.ChoiceField(
        label=_("Certification"), required=False, choices=[("", "—"), *Certification.choices]
    )
    in_stock = forms.BooleanField(label=_("In stock only"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("", _("Relevance / name")),
            ("price", _("Price, lowest first")),
            ("-price", _("Price, highest first")),
            ("lead", _("Fastest delivery")),
        ],
    )


class QuantityForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1_000_000, initial=1)


class CheckoutForm(forms.Form):
    delivery_address = forms.CharField(label=_("Delivery address"), max_length=300)
    region = forms.ChoiceField(label=_("Delivery region"), choices=Region.choices)
    note = forms.CharField(
        label=_("Note to the supplier"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class MiniCompetitionForm(CheckoutForm):
    """Where to deliver, and how long the framework's suppliers have to offer (then the opening)."""

    submission_deadline = forms.DateTimeField(
        label=_("Offers due"), widget=DateTimeLocalInput, help_text=_zone_help(_("Date and time"))
    )
    opening_at = forms.DateTimeField(
        label=_("Opening time"), widget=DateTimeLocalInput, help_text=_zone_help(_("Date and time"))
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].label = _("Note to the suppliers")


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class PaymentForm(forms.Form):
    payment_reference = forms.CharField(label=_("Payment reference (transfer number)"), max_length=100)


class StockForm(forms.Form):
    stock = forms.IntegerField(label=_("Stock"), min_value=0, max_value=100_000_000)
    lead_time_days = forms.IntegerField(label=_("Delivery lead time (days)"), min_value=0, max_value=365)


class PriceChangeForm(forms.Form):
    new_price = forms.DecimalField(
        label=_("New unit price"), min_value=Decimal("0.01"), max_digits=18, decimal_places=2
    )
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ItemForm(forms.Form):
    name_ko = forms.CharField(label=_("Name (Korean)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    model_number = forms.CharField(label=_("Model"), max_length=100, required=False)
    classification = forms.ModelChoiceField(label=_("Category (CPV)"), queryset=Classification.objects.none())
    specification = forms.CharField(
        label=_("Specification"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    unit = forms.CharField(label=_("Unit"), max_length=20, initial="EA")
    unit_price = forms.DecimalField(label=_("Unit price"), min_value=Decimal("0.01"), max_digits=18, decimal_places=2)
    min_order_quantity = forms.IntegerField(label=_("Minimum order quantity"), min_value=1, initial=1)
    stock = forms.IntegerField(label=_("Stock"), min_value=0, initial=0)
    lead_time_days = forms.IntegerField(label=_("Delivery lead time (days)"), min_value=0, max_value=365, initial=7)
    regions = forms.MultipleChoiceField(
        label=_("Delivery regions"), choices=Region.choices, widget=forms.CheckboxSelectMultiple
    )
    certifications = forms.MultipleChoiceField(
        label=_("Certifications"), choices=Certification.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    photo = forms.FileField(label=_("Photo (PNG, JPEG)"), required=False)
    spec_sheet = forms.FileField(label=_("Specification sheet (PDF)"), required=False)

    def __init__(self, *args, agreement=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agreement is not None:
            division = agreement.classification.code[:2]
            self.fields["classification"].queryset = Classification.objects.filter(code__startswith=division)
            self.fields["classification"].initial = agreement.classification_id


class FrameworkCallForm(forms.Form):
    max_suppliers = forms.IntegerField(
        label=_("Suppliers to be awarded (at most)"), min_value=2, max_value=50, initial=3
    )
    ceiling = forms.DecimalField(
        label=_("Ceiling per agreement"), min_value=Decimal("0.01"), max_digits=18, decimal_places=2
    )
    start_date = forms.DateField(label=_("Agreements start"), widget=DateInput())
    end_date = forms.DateField(label=_("Agreements end"), widget=DateInput())
    classification = forms.ModelChoiceField(label=_("Category (CPV)"), queryset=Classification.objects.all())
    max_price_increase_pct = forms.DecimalField(
        label=_("Largest price increase per change (%)"),
        min_value=0,
        max_value=100,
        initial=Decimal("5"),
        decimal_places=2,
    )

"""Countries a company may be registered in (ISO 3166-1 alpha-2), Korea first."""

from django.utils.translation import gettext_lazy as _

COUNTRIES = [
    ("KR", _("Korea, Republic of")),
    ("AU", _("Australia")),
    ("CA", _("Canada")),
    ("CN", _("China")),
    ("FR", _("France")),
    ("DE", _("Germany")),
    ("IN", _("India")),
    ("ID", _("Indonesia")),
    ("IT", _("Italy")),
    ("JP", _("Japan")),
    ("MY", _("Malaysia")),
    ("MN", _("Mongolia")),
    ("NL", _("Netherlands")),
    ("NZ", _("New Zealand")),
    ("PH", _("Philippines")),
    ("SG", _("Singapore")),
    ("ES", _("Spain")),
    ("SE", _("Sweden")),
    ("CH", _("Switzerland")),
    ("TH", _("Thailand")),
    ("AE", _("United Arab Emirates")),
    ("GB", _("United Kingdom")),
    ("US", _("United States")),
    ("UZ", _("Uzbekistan")),
    ("VN", _("Viet Nam")),
]
COUNTRY_NAMES = dict(COUNTRIES)


def country_name(code: str) -> str:
    return str(COUNTRY_NAMES.get(code, code))

"""Reads: who belongs to which company, which companies are public, and whether one may bid."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Classification, Sanction, Supplier, SupplierDocument, SupplierInvitation, SupplierMember
from .validators import normalise_registration_number


@dataclass(frozen=True)
class Eligibility:
    """Whether a company may submit a bid now, and if not, every reason why (translated)."""

    eligible: bool
    reasons: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.eligible


def membership_for_user(user) -> SupplierMember | None:
    """The user's company membership (with its company), or None: the one answer to "which company
    does this user act for, and in what role?" for every app. Read fresh, not from the user object's
    cache, so a membership created or removed earlier in the same request counts."""
    if not getattr(user, "is_authenticated", False):
        return None
    return SupplierMember.objects.select_related("supplier").filter(user_id=user.pk).first()


def supplier_for_user(user) -> Supplier | None:
    """The company `user` belongs to, or None (anonymous users and non-members)."""
    membership = membership_for_user(user)
    return membership.supplier if membership is not None else None


def sanctions_running_q(at: datetime, prefix: str = "") -> Q:
    """Sanctions in force at `at`: the day (in settings.TIME_ZONE) within their period, not yet lifted."""
    day = timezone.localdate(at)
    return Q(
        **{
            f"{prefix}starts_on__lte": day,
            f"{prefix}ends_on__gte": day,
        }
    ) & (Q(**{f"{prefix}lifted_at__isnull": True}) | Q(**{f"{prefix}lifted_at__gt": at}))


def sanctions_running(*, supplier: Supplier, at: datetime | None = None) -> QuerySet[Sanction]:
    at = at or timezone.now()
    return Sanction.objects.filter(sanctions_running_q(at), supplier=supplier)


def supplier_eligibility(*, supplier: Supplier, at: datetime | None = None) -> Eligibility:
    """The one answer to "may this company bid at `at`?" (default now), with reasons when it may not.

    Eligible iff vetting approved it (suspended, pending, rejected companies are not) and no sanction
    runs at `at`. The bidding service asks this inside its own transaction.
    """
    at = at or timezone.now()
    reasons: list[str] = []
    status = Supplier.objects.filter(pk=supplier.pk).values_list("status", flat=True).first()
    if status is None:
        return Eligibility(False, [_("The company is not registered.")])
    if status == Supplier.Status.SUSPENDED:
        reasons.append(_("The company is suspended by the platform administrators."))
    elif status != Supplier.Status.APPROVED:
        reasons.append(
            _("The company is not approved yet (status: %(status)s).") % {"status": Supplier.Status(status).label}
        )
    for sanction in sanctions_running(supplier=supplier, at=at).order_by("ends_on"):
        reasons.append(
            _("The company is debarred from %(start)s to %(end)s (%(ground)s).")
            % {
                "start": sanction.starts_on.isoformat(),
                "end": sanction.ends_on.isoformat(),
                "ground": sanction.legal_ground,
            }
        )
    return Eligibility(not reasons, reasons)


# --- public directory and register ---------------------------------------------------------------


def suppliers_public() -> QuerySet[Supplier]:
    """Companies the public may see: approved ones only (suspended or unvetted ones are not listed)."""
    return Supplier.objects.filter(status=Supplier.Status.APPROVED).prefetch_related(
        Prefetch("classifications", queryset=Classification.objects.order_by("code"))
    )


def suppliers_search(*, queryset: QuerySet[Supplier], text: str = "", classification: str = "") -> QuerySet[Supplier]:
    """Match legal names (Korean or Latin), the registration number, and a classification code prefix."""
    text = (text or "").strip()
    if text:
        number = normalise_registration_number(text)
        match = Q(name_ko__icontains=text) | Q(name_en__icontains=text)
        if number:
            match |= Q(registration_number__startswith=number)
        queryset = queryset.filter(match)
    code = (classification or "").strip()
    if code:
        # A division (e.g. 45000000) also finds the companies that picked one of its groups.
        prefix = code.rstrip("0") or code
        if len(prefix) < 2:
            prefix = code[:2]
        queryset = queryset.filter(classifications__code__startswith=prefix).distinct()
    return queryset


def sanctions_public(*, running_only: bool = False, at: datetime | None = None) -> QuerySet[Sanction]:
    """The debarment register: every sanction (lifted ones too, marked as such), newest first."""
    qs = Sanction.objects.select_related("supplier")
    if running_only:
        qs = qs.filter(sanctions_running_q(at or timezone.now()))
    return qs.order_by("-starts_on", "-id")


def classifications_for_picking() -> QuerySet[Classification]:
    return Classification.objects.select_related("parent").order_by("scheme", "code")


def classifications_search(*, text: str, limit: int = 30) -> QuerySet[Classification]:
    text = (text or "").strip()
    qs = classifications_for_picking()
    if not text:
        return qs.filter(parent__isnull=True)[:limit]
    digits = text.replace("-", "")
    return qs.filter(Q(code__startswith=digits) | Q(title_ko__icontains=text) | Q(title_en__icontains=text))[:limit]


# --- the company workspace and vetting -----------------------------------------------------------


def supplier_documents(*, supplier: Supplier) -> QuerySet[SupplierDocument]:
    return supplier.documents.select_related("uploaded_by").order_by("-uploaded_at", "-id")


def supplier_members(*, supplier: Supplier) -> QuerySet[SupplierMember]:
    return supplier.members.select_related("user").order_by("-role", "joined_at", "id")


def supplier_open_invitations(*, supplier: Supplier) -> QuerySet[SupplierInvitation]:
    return supplier.invitations.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by")


def invitations_open_for_email(email: str) -> QuerySet[SupplierInvitation]:
    return SupplierInvitation.objects.filter(
        email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("supplier")


def vetting_queue() -> QuerySet[Supplier]:
    """Every company for the vetting officers, waiting ones first (oldest submission first)."""
    return Supplier.objects.prefetch_related("classifications").order_by("submitted_at", "id")

"""Key custodians: enrolment, naming them on a draft, and the public sealing material of publication.

The rules that keep the operator out (checked on the draft and again at publication):
k ≥ 2, k ≤ n, and at most one platform custodian — so the server, which can open only the platform's
share, never holds k shares before the deadline.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from procurement.audit import audit_record
from procurement.errors import Conflict, Forbidden, Invalid
from procurement.models import User
from procurement.notifications import notify
from procurement.roles import Role
from procurement.sealing import KEY_BYTES, SEAL_OVERHEAD, SHARE_BYTES, b64decode, platform_public_key

from .. import selectors
from ..models import Custodian, ObserverInvitation, ProcuringEntity, ReservePriceSet, Tender, TenderCustodian
from ..policies import evaluation_policy
from .common import TenderValidationError, require_entity_official

MIN_THRESHOLD = 2
SALT_BYTES = 16
NONCE_BYTES = 24
# libsodium's crypto_pwhash INTERACTIVE limits: nothing weaker is accepted for a custodian's key.
MIN_OPSLIMIT = 2
MIN_MEMLIMIT = 64 * 1024 * 1024
MAX_MEMLIMIT = 1024 * 1024 * 1024
SEALED_SHARE_BYTES = SHARE_BYTES + SEAL_OVERHEAD
KIND_OF_ROLE = {
    Role.OFFICIAL: Custodian.Kind.OFFICIAL,
    Role.AUDITOR: Custodian.Kind.AUDITOR,
    Role.OBSERVER: Custodian.Kind.OBSERVER,
}
# Invitations go to outside addresses: an entity sends at most this many a day.
OBSERVER_INVITATIONS_PER_DAY = 10

logger = logging.getLogger(__name__)


def custodian_blob_clean(blob: dict) -> dict:
    """The passphrase-encrypted private key as posted by the enrolment page: checked, never opened."""
    try:
        salt = b64decode(blob["salt"], size=SALT_BYTES)
        nonce = b64decode(blob["nonce"], size=NONCE_BYTES)
        ciphertext = b64decode(blob["ciphertext"], size=KEY_BYTES + 16)
        opslimit, memlimit = int(blob["opslimit"]), int(blob["memlimit"])
    except (KeyError, TypeError, ValueError):
        raise Invalid(_("The encrypted key is incomplete or malformed."), field="sealed_private_key") from None
    if opslimit < MIN_OPSLIMIT or not MIN_MEMLIMIT <= memlimit <= MAX_MEMLIMIT:
        raise Invalid(_("The passphrase key derivation is too weak."), field="sealed_private_key")
    del salt, nonce, ciphertext
    return {k: blob[k] for k in ("salt", "nonce", "ciphertext")} | {"opslimit": opslimit, "memlimit": memlimit}


def custodian_enrol(*, user, public_key: bytes, sealed_private_key: dict) -> Custodian:
    """Enrol (or re-enrol) a person as a custodian; an earlier key is retired, tenders keep it."""
    kind = KIND_OF_ROLE.get(user.role)
    if kind is None:
        raise Forbidden(
            _("Only officials, auditors and invited outside observers can hold tender keys."), code="not_custodian"
        )
    if len(public_key) != KEY_BYTES:
        raise Invalid(_("The public key must be 32 bytes."), field="public_key")
    blob = custodian_blob_clean(sealed_private_key)
    with transaction.atomic():
        Custodian.objects.select_for_update().filter(user=user, is_active=True).update(is_active=False)
        if Custodian.objects.filter(public_key=public_key).exists():
            raise Invalid(_("This key is already enrolled: make a new one."), field="public_key")
        custodian = Custodian.objects.create(kind=kind, user=user, public_key=public_key, sealed_private_key=blob)
        audit_record(
            actor=user,
            action="custodian.enrol",
            obj=custodian,
            data={"kind": kind, "public_key_sha256": hashlib.sha256(public_key).hexdigest()},
        )
    return custodian


# --- outside observers ----------------------------------------------------------------------------
#
# An entity's official invites an outside observer by email; the person signs up (or in) with that
# address and accepts, which makes the account an observer (Role.OBSERVER): a custodian of the keys of
# that entity's tenders and nothing else. Supplier companies' people never can (they bid), nor can an
# account that already has a role of the administration (officials and auditors enrol as themselves).


def _may_become_observer(user) -> bool:
    if user.role == Role.OBSERVER:
        return True
    return user.role == Role.SUPPLIER and not hasattr(user, "supplier_membership")


def _require_entity_official(actor) -> ProcuringEntity:
    entity = selectors.official_entity(actor)
    if entity is None:
        raise Forbidden(_("Only a procuring entity's officials can invite outside observers."))
    return entity


def _send_observer_invitation_mail(invitation_id: int) -> None:
    """Mail to an address with no account yet (the outbox only knows users). Failures are logged;
    the official also sees the invitation link on the observers page and can pass it on."""
    invitation = ObserverInvitation.objects.select_related("entity", "invited_by").get(pk=invitation_id)
    with translation.override(settings.LANGUAGE_CODE):
        context = {"invitation": invitation, "entity": invitation.entity, "link": invitation.get_absolute_url(),
                   "site_url": settings.SITE_URL}  # fmt: skip
        subject = " ".join(render_to_string("emails/observer_invitation_subject.txt", context).split())
        body = render_to_string("emails/observer_invitation_body.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
    except Exception:
        logger.warning("Observer invitation %s could not be mailed.", invitation_id, exc_info=True)


def observer_invite(*, actor, email: str) -> ObserverInvitation:
    """The actor's entity invites `email` as an outside observer. Inviting the address again replaces
    the open invitation."""
    email = User.objects.normalize_email(email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise Invalid(_("Enter a valid email address."), field="email") from None
    with transaction.atomic():
        entity = ProcuringEntity.objects.select_for_update().get(pk=_require_entity_official(actor).pk)
        existing = User.objects.filter(email__iexact=email).first()
        if existing is not None and not _may_become_observer(existing):
            raise Invalid(
                _("This account cannot be an outside observer: suppliers' people bid, and officials and auditors "
                  "enrol as custodians themselves."),
                field="email",
            )  # fmt: skip
        recent = entity.observer_invitations.filter(created_at__gte=timezone.now() - timedelta(days=1)).count()
        if recent >= OBSERVER_INVITATIONS_PER_DAY:
            raise Conflict(_("Too many invitations today: try again tomorrow."), code="rate_limited")
        open_ones = entity.observer_invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True)
        open_ones.filter(email__iexact=email).update(revoked_at=timezone.now())
        invitation = ObserverInvitation.objects.create(entity=entity, email=email, invited_by=actor)
        audit_record(actor=actor, action="custodian.observer_invite", obj=entity, data={"email": email})
        if existing is not None:
            notify(
                event="custodian.observer_invite",
                recipients=[existing],
                template="observer_invitation",
                context={"invitation": invitation, "entity": entity},
                link=invitation.get_absolute_url(),
            )
        else:
            transaction.on_commit(lambda: _send_observer_invitation_mail(invitation.pk))
    return invitation


def observer_invitation_revoke(*, invitation: ObserverInvitation, actor) -> ObserverInvitation:
    with transaction.atomic():
        invitation = ObserverInvitation.objects.select_for_update().get(pk=invitation.pk)
        if _require_entity_official(actor).pk != invitation.entity_id:
            raise Forbidden(_("Only the inviting entity's officials can withdraw this invitation."))
        if not invitation.is_open:
            raise Conflict(_("This invitation is no longer open."))
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor, action="custodian.observer_revoke", obj=invitation.entity, data={"email": invitation.email}
        )
    return invitation


def observer_accept(*, invitation: ObserverInvitation, user) -> ObserverInvitation:
    """`user` becomes an outside observer of the inviting entity. Only for the invited address, once
    it is verified, and only for an account that holds no other part in procurement."""
    from allauth.account.models import EmailAddress

    with transaction.atomic():
        invitation = ObserverInvitation.objects.select_for_update().select_related("entity").get(pk=invitation.pk)
        if not invitation.is_open:
            raise Conflict(_("This invitation has expired or was withdrawn. Ask for a new one."))
        verified = EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists()
        if invitation.email.lower() != user.email.lower() or not verified:
            raise Forbidden(_("This invitation is for another email address."))
        user = User.objects.select_for_update().get(pk=user.pk)
        if not _may_become_observer(user):
            raise Forbidden(
                _("This account cannot be an outside observer: suppliers' people bid, and officials and auditors "
                  "enrol as custodians themselves.")
            )  # fmt: skip
        if user.role != Role.OBSERVER:
            user.role = Role.OBSERVER
            user.save(update_fields=["role"])
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(
            actor=user,
            action="custodian.observer_accept",
            obj=invitation.entity,
            data={"email": user.email, "invitation": invitation.pk},
        )
    return invitation


def custodian_platform_ensure() -> Custodian | None:
    """The platform's custodian row for the key in the environment (None when none is configured).

    A changed PLATFORM_CUSTODIAN_KEY retires the old row: tenders that named it keep their share,
    which only the old key opens.
    """
    public_key = platform_public_key()
    if public_key is None:
        return None
    current = Custodian.objects.filter(kind=Custodian.Kind.PLATFORM, is_active=True).first()
    if current is not None and bytes(current.public_key) == public_key:
        return current
    with transaction.atomic():
        Custodian.objects.filter(kind=Custodian.Kind.PLATFORM, is_active=True).update(is_active=False)
        custodian, _created = Custodian.objects.update_or_create(
            public_key=public_key, defaults={"kind": Custodian.Kind.PLATFORM, "is_active": True}
        )
    return custodian


def custodian_rules_errors(
    *, custodians: list[Custodian], threshold: int | None, tender: Tender | None = None, entity_id: int | None = None
) -> dict[str, str]:
    """Why this choice of custodians and k cannot seal the tender (or be an entity's defaults; {} when
    it can)."""
    errors: dict[str, str] = {}
    entity_id = tender.entity_id if tender is not None else entity_id
    eligible = set(selectors.custodians_eligible_for_entity(entity_id).values_list("pk", flat=True))
    if any(c.pk not in eligible for c in custodians):
        errors["custodians"] = _("A chosen custodian cannot hold this tender's key (retired or of another entity).")
    elif len(custodians) < MIN_THRESHOLD:
        errors["custodians"] = _("Name at least %(n)s key custodians.") % {"n": MIN_THRESHOLD}
    elif sum(1 for c in custodians if c.kind == Custodian.Kind.PLATFORM) > 1:
        errors["custodians"] = _("At most one custodian can be the platform.")
    if threshold is None or not MIN_THRESHOLD <= threshold <= max(len(custodians), MIN_THRESHOLD):
        errors["custodian_threshold"] = _(
            "The number of custodians needed to open must be between %(low)s and the number of custodians."
        ) % {"low": MIN_THRESHOLD}
    return errors


def tender_custodians_set(*, tender: Tender, actor, custodian_ids: list[int], threshold: int) -> Tender:
    """Name the draft's key custodians and k. Fixed at publication: the shares are sealed to them."""
    with transaction.atomic():
        tender = selectors.tender_for_update(tender.pk)
        require_entity_official(tender, actor)
        if tender.status != Tender.Status.DRAFT:
            raise Conflict(_("Key custodians are chosen on the draft; they cannot change after publication."))
        custodians = list(Custodian.objects.filter(pk__in=set(custodian_ids)))
        errors = custodian_rules_errors(tender=tender, custodians=custodians, threshold=threshold)
        if errors:
            raise TenderValidationError(errors)
        tender.custodians.all().delete()
        TenderCustodian.objects.bulk_create(TenderCustodian(tender=tender, custodian=c) for c in custodians)
        tender.custodian_threshold = threshold
        tender.save(update_fields=["custodian_threshold", "updated_at"])
        audit_record(
            actor=actor,
            action="tender.custodians_set",
            obj=tender,
            data={"custodians": sorted(c.pk for c in custodians), "threshold": threshold},
        )
    return tender


def entity_custodian_defaults_set(*, actor, custodian_ids: list[int], threshold: int) -> ProcuringEntity:
    """The custodians and k each new draft of the actor's entity starts from (the platform, when it
    is a custodian, is always among them). Set by an official who may approve publications."""
    entity = selectors.official_entity(actor)
    if entity is None or not selectors.is_approver_of(actor, entity.pk):
        raise Forbidden(_("Only an official who approves publications sets the entity's default custodians."))
    with transaction.atomic():
        entity = ProcuringEntity.objects.select_for_update().get(pk=entity.pk)
        chosen = list(Custodian.objects.filter(pk__in=set(custodian_ids)).exclude(kind=Custodian.Kind.PLATFORM))
        platform = custodian_platform_ensure()
        named = ([platform] if platform is not None else []) + chosen
        errors = custodian_rules_errors(entity_id=entity.pk, custodians=named, threshold=threshold)
        if errors:
            raise TenderValidationError(errors)
        entity.default_custodians.set(chosen)
        entity.default_custodian_threshold = threshold
        entity.save(update_fields=["default_custodian_threshold"])
        audit_record(
            actor=actor,
            action="entity.custodian_defaults_set",
            obj=entity,
            data={"custodians": sorted(c.pk for c in chosen), "threshold": threshold},
        )
    return entity


def tender_custodians_default(*, tender: Tender) -> None:
    """Name the entity's default custodians (and the platform) on a new draft, when it has enough."""
    platform = custodian_platform_ensure()
    custodians = list(tender.entity.default_custodians.filter(is_active=True))
    if platform is not None and all(c.kind != Custodian.Kind.PLATFORM for c in custodians):
        custodians.insert(0, platform)
    threshold = min(tender.entity.default_custodian_threshold, len(custodians))
    if custodian_rules_errors(tender=tender, custodians=custodians, threshold=threshold):
        return
    TenderCustodian.objects.bulk_create(TenderCustodian(tender=tender, custodian=c) for c in custodians)
    tender.custodian_threshold = threshold
    tender.save(update_fields=["custodian_threshold"])


# --- the ceremony's public material ----------------------------------------------------------------


@dataclass(frozen=True)
class SealedReserve:
    ciphertext: bytes
    commitment: str
    # What the browser says it drew on (amendment, base price, range, count), when it says so. The
    # server cannot read the draw; it checks this declaration against the tender, so a draw made on a
    # stale page (another amendment published meanwhile) is refused now, not found out at the opening.
    terms: dict | None = None


@dataclass(frozen=True)
class TenderSealing:
    """What the publishing official's browser posts: nothing in it opens anything on its own."""

    public_key: bytes
    shares: dict[int, bytes]  # custodian id → crypto_box_seal(share, custodian public key)
    reserve: SealedReserve | None = None

    def __repr__(self) -> str:
        return f"TenderSealing({self.public_key.hex()[:16]}…, {len(self.shares)} shares)"


def reserve_sealing_parse(raw) -> SealedReserve | None:
    if raw in (None, "", {}):
        return None
    try:
        ciphertext = b64decode(raw["ciphertext"])
        commitment = str(raw["commitment"]).lower()
    except (KeyError, TypeError, ValueError):
        raise Invalid(_("The sealed reserve prices are malformed."), field="reserve_prices") from None
    if hashlib.sha256(ciphertext).hexdigest() != commitment:
        raise Invalid(_("The reserve prices' commitment is not the hash of their ciphertext."), field="reserve_prices")
    terms = raw.get("terms")
    if terms is not None:
        try:
            terms = {
                "amendment": int(terms["amendment"]),
                "base_price": Decimal(str(terms["base_price"])),
                "range_pct": Decimal(str(terms["range_pct"])),
                "count": int(terms["count"]),
            }
        except (KeyError, TypeError, ValueError, ArithmeticError):
            raise Invalid(_("The sealed reserve prices are malformed."), field="reserve_prices") from None
    return SealedReserve(ciphertext=ciphertext, commitment=commitment, terms=terms)


def tender_sealing_parse(data: dict) -> TenderSealing:
    """{"public_key": b64, "shares": [{"custodian": id, "sealed_share": b64}], "reserve_prices": {…}|null}."""
    if not isinstance(data, dict):
        raise Invalid(_("The sealing material is missing: publish from the publication page."), field="sealing")
    try:
        public_key = b64decode(data["public_key"], size=KEY_BYTES)
    except (KeyError, TypeError, ValueError):
        raise Invalid(_("The tender's public key must be 32 bytes, base64."), field="sealing") from None
    shares: dict[int, bytes] = {}
    try:
        for item in data.get("shares") or []:
            custodian_id = int(item["custodian"])
            if custodian_id in shares:
                raise Invalid(_("Each custodian gets exactly one share."), field="sealing")
            shares[custodian_id] = b64decode(item["sealed_share"], size=SEALED_SHARE_BYTES)
    except (KeyError, TypeError, ValueError):
        raise Invalid(_("A sealed key share is malformed."), field="sealing") from None
    return TenderSealing(
        public_key=public_key, shares=shares, reserve=reserve_sealing_parse(data.get("reserve_prices"))
    )


def uses_reserve_prices(tender: Tender) -> bool:
    return evaluation_policy(tender.evaluation_method).uses_reserve_prices


def reserve_set_store(*, tender: Tender, reserve: SealedReserve, actor) -> ReservePriceSet:
    """Store the sealed draw for the tender's current amendment, inside the caller's transaction."""
    params = evaluation_policy(tender.evaluation_method).clean(tender.evaluation_params)
    expected = {
        "amendment": tender.version,
        "base_price": tender.estimated_value,
        "range_pct": Decimal(params["reserve_range_pct"]),
        "count": params["reserve_count"],
    }
    if reserve.terms is not None and reserve.terms != expected:
        raise Invalid(
            _("The reserve prices were drawn on other terms than the tender's (was it amended meanwhile?): reload "
              "the page and try again."),
            field="reserve_prices",
            code="reserve_terms",
        )  # fmt: skip
    reserve_set = ReservePriceSet.objects.create(
        tender=tender,
        amendment_number=tender.version,
        base_price=tender.estimated_value,
        range_pct=Decimal(params["reserve_range_pct"]),
        count=params["reserve_count"],
        ciphertext=reserve.ciphertext,
        commitment=reserve.commitment,
    )
    audit_record(
        actor=actor,
        action="tender.reserve_prices_sealed",
        obj=tender,
        data={"amendment": tender.version, "count": reserve_set.count, "commitment": reserve.commitment},
    )
    return reserve_set


def tender_sealing_store(*, tender: Tender, sealing: TenderSealing, actor) -> None:
    """Check the ceremony's material against the draft's custodians and store it (caller's transaction)."""
    named = list(tender.custodians.select_related("custodian"))
    errors = custodian_rules_errors(
        tender=tender, custodians=[tc.custodian for tc in named], threshold=tender.custodian_threshold
    )
    if errors:
        raise TenderValidationError(errors)
    if set(sealing.shares) != {tc.custodian_id for tc in named}:
        raise Invalid(_("There must be one sealed share for each named custodian, and no other."), field="sealing")
    if uses_reserve_prices(tender) != (sealing.reserve is not None):
        raise Invalid(
            _("Sealed reserve prices are required for this evaluation method, and only for it."), field="sealing"
        )
    if Tender.objects.filter(public_key=sealing.public_key).exclude(pk=tender.pk).exists():
        raise Invalid(_("This public key is already in use: generate a new key pair."), field="sealing")
    for tc in named:
        tc.sealed_share = sealing.shares[tc.custodian_id]
    TenderCustodian.objects.bulk_update(named, ["sealed_share"])
    tender.public_key = sealing.public_key
    if sealing.reserve is not None:
        reserve_set_store(tender=tender, reserve=sealing.reserve, actor=actor)

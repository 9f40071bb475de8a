"""The only places a tender's key material is opened on the server.

- `platform_share_release` opens the platform custodian's share (with PLATFORM_CUSTODIAN_KEY) and
  refuses before the submission deadline by the database clock. One share is never enough: every
  tender needs k ≥ 2 and names the platform at most once.
- `shares_verify` recombines the released shares and marks each one good or bad, checking the
  result against the tender's public key (Shamir's scheme itself cannot tell a wrong share).
- `opening_private_key` is called only by services.opening.bid_open_all (or, for a two-envelope
  tender, its technical stage services.envelopes.technical_open_locked), inside its transaction,
  after it has locked the tender; it checks the opening time itself.
tests/bidding/test_keys.py checks that nothing else in the code base calls these.
"""

from itertools import combinations

from django.db import connection
from django.utils.translation import gettext as _
from nacl.public import PrivateKey

from procurement.errors import Conflict
from procurement.sealing import platform_unseal_share, public_key_of, shares_combine
from tenders.models import Custodian, Tender

from .models import KeyShareRelease


class TooEarly(Conflict):
    code = "too_early"


class QuorumMissing(Conflict):
    """Fewer than k good shares are in: the opening waits for more custodians."""

    code = "quorum_missing"


def _db_check(sql: str, tender_id: int) -> bool:
    with connection.cursor() as cursor:
        # clock_timestamp(), not now(): now() is the start of a transaction that may have waited.
        cursor.execute(sql, [tender_id])
        row = cursor.fetchone()
    return bool(row and row[0])


def opening_time_reached(tender_id: int) -> bool:
    """Whether the database clock has reached the tender's opening time."""
    return _db_check(
        "SELECT opening_at IS NOT NULL AND clock_timestamp() >= opening_at FROM tenders_tender WHERE id = %s",
        tender_id,
    )


def deadline_passed(tender_id: int) -> bool:
    """Whether the database clock has passed the tender's submission deadline."""
    return _db_check(
        "SELECT submission_deadline IS NOT NULL AND clock_timestamp() >= submission_deadline"
        " FROM tenders_tender WHERE id = %s",
        tender_id,
    )


def platform_share_release(tender: Tender) -> KeyShareRelease | None:
    """Open and store the platform's share of a tender key, once, only after the deadline.

    Returns None when the tender does not name the platform. The caller holds the tender's lock.
    """
    named = tender.custodians.filter(custodian__kind=Custodian.Kind.PLATFORM).select_related("custodian").first()
    if named is None:
        return None
    existing = KeyShareRelease.objects.filter(tender_custodian=named).first()
    if existing is not None:
        return existing
    if not deadline_passed(tender.pk):
        raise TooEarly(_("Key shares are released only after the submission deadline."))
    share = platform_unseal_share(bytes(named.sealed_share))
    return KeyShareRelease.objects.create(tender_custodian=named, tender=tender, share=share)


def _recombines(shares: list[bytes], public_key: bytes) -> bytes | None:
    secret = shares_combine(shares)
    if secret is None or public_key_of(secret) != public_key:
        return None
    return secret


def shares_verify(tender: Tender) -> bytes | None:
    """Mark the released shares good or bad once k of them recombine to the tender's key.

    Returns the private key when some k released shares give it, else None (fewer than k shares,
    or at least one of them wrong: then another custodian's share is needed to tell which). The
    key is not kept: opening recombines it again under its own checks.
    """
    releases = list(KeyShareRelease.objects.filter(tender=tender).order_by("released_at", "pk"))
    k, public_key = tender.custodian_threshold or 2, bytes(tender.public_key)
    if len(releases) < k:
        return None
    for group in combinations(releases, k):
        secret = _recombines([bytes(r.share) for r in group], public_key)
        if secret is None:
            continue
        anchors = [bytes(r.share) for r in group[: k - 1]]
        for release in releases:
            ok = release in group or _recombines([*anchors, bytes(release.share)], public_key) is not None
            if release.ok is not ok:
                release.ok = ok
                release.save(update_fields=["ok"])
        return secret
    return None


def opening_private_key(tender: Tender) -> PrivateKey:
    """The tender's private key from k good shares; TooEarly before the opening time, QuorumMissing
    while fewer than k good shares are in."""
    if not opening_time_reached(tender.pk):
        raise TooEarly(_("The bids of this tender cannot be opened before its opening time."))
    platform_share_release(tender)
    secret = shares_verify(tender)
    if secret is None:
        raise QuorumMissing(
            _("The opening waits for the key custodians: %(k)s good key shares are needed.")
            % {"k": tender.custodian_threshold}
        )
    return PrivateKey(secret)

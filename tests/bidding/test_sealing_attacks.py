"""Trying to open bids early as the operator would: with the whole database, every secret of the web
and worker processes (the platform custodian's key among them) and some custodians' own keys.

The platform holds one custodian's key, so an operator counts as one custodian: with k-1 custodians'
secrets in all (the platform's included) nothing opens before the deadline; after it, the platform's
share released by the portal plus the other custodians' shares open everything.
"""

import base64
import itertools
import subprocess

import pytest
from django.conf import settings as django_settings
from django.db import connection
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, SealedBox

from bidding import services
from bidding.models import BidVersion, KeyShareRelease, OpenedBid
from procurement.errors import DomainError
from procurement.sealing import shares_combine
from tenders.models import ReservePriceSet, TenderCustodian
from tests.bidding.helpers import bidder, published_tender, set_times, submit
from tests.sealing import CUSTODIAN_KEYS, custodian_make, human_custodians, share_of, shares_release

pytestmark = pytest.mark.django_db(transaction=True)

PRICE = "456789123"


def _three_of_four_tender():
    """A floor-rate tender whose key is split 3-of-4: the platform and three people."""
    from tests.sealing import custodians_name
    from tests.support.audited import audited

    tender = published_tender(evaluation_method="floor_rate_reserve")
    # The factory's custodians and draw go, the test's come, in one transaction with its entry.
    with audited("custodians_renamed", tender, people=3, threshold=3):
        TenderCustodian.objects.filter(tender=tender).delete()
        ReservePriceSet.objects.filter(tender=tender).delete()
        custodians_name(tender, people=3, threshold=3)
        tender.test_private_key = _reseal(tender)
    return tender


def _reseal(tender) -> bytes:
    """Store the ceremony for the custodians now named (the factory sealed it for its own)."""
    from tests.sealing import tender_seal_material

    material, private = tender_seal_material(tender)
    for tc in tender.custodians.all():
        TenderCustodian.objects.filter(pk=tc.pk).update(sealed_share=material.shares[tc.custodian_id])
    type(tender).objects.filter(pk=tender.pk).update(public_key=material.public_key)
    tender.public_key = material.public_key
    from django.db import transaction

    from tenders.services.custodians import reserve_set_store

    with transaction.atomic():  # the draw and its entry together, as the database insists
        reserve_set_store(tender=tender, reserve=material.reserve, actor=None)
    return private


def _attacker_shares(tender, private_keys: list[bytes]) -> list[bytes]:
    """Every share the attacker can open: each sealed share in the database, with every key it has."""
    found = [bytes(r.share) for r in KeyShareRelease.objects.filter(tender=tender)]
    for sealed in TenderCustodian.objects.filter(tender=tender).values_list("sealed_share", flat=True):
        for key in private_keys:
            try:
                found.append(SealedBox(PrivateKey(key)).decrypt(bytes(sealed)))
            except CryptoError:
                continue
    return found


def _opens(tender, shares: list[bytes]) -> bytes | None:
    """The tender key, if any combination of these shares recombines to it."""
    for size in range(2, len(shares) + 1):
        for group in itertools.combinations(shares, size):
            secret = shares_combine(list(group))
            if secret is not None and bytes(PrivateKey(secret).public_key) == bytes(tender.public_key):
                return secret
    return None


def test_before_the_deadline_the_database_the_server_secrets_and_k_minus_1_custodians_open_nothing():
    tender = _three_of_four_tender()
    submit(tender, bidder(), price=PRICE, picks=(1, 2))
    platform_key = base64.b64decode(django_settings.PLATFORM_CUSTODIAN_KEY)  # "every environment variable"
    one_person = CUSTODIAN_KEYS[human_custodians(tender)[0].custodian_id]
    shares = _attacker_shares(tender, [platform_key, one_person])
    assert len(shares) == 2  # k-1 = 2 shares: the platform's and one person's
    assert _opens(tender, shares) is None
    # Nor does anything in the database open a bid or the reserve prices with any key it has.
    version = BidVersion.objects.get(tender=tender)
    reserve = ReservePriceSet.objects.get(tender=tender)
    for key in (platform_key, one_person):
        for ciphertext in (bytes(version.sealed_content), bytes(reserve.ciphertext)):
            with pytest.raises(CryptoError):
                SealedBox(PrivateKey(key)).decrypt(ciphertext)
    # The portal itself refuses too: its platform share is not released before the deadline.
    with pytest.raises(DomainError):
        services.key_share_submit(
            tender_id=tender.pk,
            actor=human_custodians(tender)[0].custodian.user,
            share=share_of(human_custodians(tender)[0]),
        )
    assert not KeyShareRelease.objects.filter(tender=tender).exists()


def test_the_database_dump_holds_no_tender_key_no_share_and_no_price():
    tender = _three_of_four_tender()
    submit(tender, bidder(), price=PRICE, picks=(1, 2))
    db = connection.settings_dict
    dump = subprocess.run(
        ["pg_dump", "-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"], db["NAME"]],
        capture_output=True,
        check=True,
    ).stdout
    private = tender.test_private_key
    for secret in (private, private.hex().encode(), base64.b64encode(private), PRICE.encode()):
        assert secret not in dump
    for tc in human_custodians(tender):
        share = share_of(tc)
        assert share.hex().encode() not in dump
        assert CUSTODIAN_KEYS[tc.custodian_id].hex().encode() not in dump


def test_after_the_deadline_the_platform_share_and_the_other_custodians_open_it():
    tender = _three_of_four_tender()
    submit(tender, bidder(), price=PRICE, picks=(1, 2))
    set_times(tender, deadline=-2, opening=-1)
    services.bid_close_tender(tender_id=tender.pk)
    assert KeyShareRelease.objects.filter(tender=tender).count() == 1  # the platform's, at closing
    with pytest.raises(services.QuorumMissing):
        services.bid_open_all(tender_id=tender.pk)
    shares_release(tender, count=2)  # 3 of 4: the platform and two people
    record = services.bid_open_all(tender_id=tender.pk)
    assert str(OpenedBid.objects.get(opening=record).price) == f"{PRICE}.00"
    assert bytes(record.private_key) == tender.test_private_key  # published once opened


def test_a_wrong_share_is_flagged_and_the_opening_waits_for_a_good_one():
    tender = _three_of_four_tender()
    submit(tender, bidder(), price=PRICE, picks=(1, 2))
    set_times(tender, deadline=-2, opening=-1)
    services.bid_close_tender(tender_id=tender.pk)
    people = human_custodians(tender)
    good = share_of(people[0])
    bad = bytes([good[0] ^ 0xFF, *good[1:]])  # right x-coordinate, wrong value
    liar = services.key_share_submit(tender_id=tender.pk, actor=people[1].custodian.user, share=bad)
    services.key_share_submit(tender_id=tender.pk, actor=people[0].custodian.user, share=good)
    with pytest.raises(services.QuorumMissing):  # 3 shares in, one of them wrong: not enough
        services.bid_open_all(tender_id=tender.pk)
    services.key_share_submit(tender_id=tender.pk, actor=people[2].custodian.user, share=share_of(people[2]))
    liar.refresh_from_db()
    assert liar.ok is False
    assert KeyShareRelease.objects.filter(tender=tender, ok=True).count() == 3
    record = services.bid_open_all(tender_id=tender.pk)
    assert bytes(record.private_key) == tender.test_private_key
    assert str(OpenedBid.objects.get(opening=record).price) == f"{PRICE}.00"


def test_only_the_tenders_own_custodians_can_release_a_share_and_only_once():
    tender = published_tender()
    submit(tender, bidder())
    set_times(tender, deadline=-2, opening=3600)
    services.bid_close_tender(tender_id=tender.pk)
    stranger = custodian_make()
    with pytest.raises(DomainError, match="not a key custodian"):
        services.key_share_submit(tender_id=tender.pk, actor=stranger.user, share=b"\x01" * 33)
    person = human_custodians(tender)[0]
    services.key_share_submit(tender_id=tender.pk, actor=person.custodian.user, share=share_of(person))
    with pytest.raises(DomainError, match="already"):
        services.key_share_submit(tender_id=tender.pk, actor=person.custodian.user, share=b"\x02" * 33)
    assert KeyShareRelease.objects.filter(tender=tender).count() == 2  # the platform's and this one


def test_the_quorum_late_escalates_once_and_the_public_page_says_why_the_opening_waits(auditor, settings, client):
    from datetime import timedelta

    from procurement.models import Outbox
    from tests.factories import OfficialFactory

    tender = published_tender()
    OfficialFactory(entity=tender.entity)
    submit(tender, bidder())
    set_times(tender, deadline=-7200, opening=-3600)  # an hour past the opening, no custodian came
    settings.OPENING_QUORUM_GRACE = timedelta(minutes=30)
    report = services.tenders_advance_due()
    assert report.waiting == [tender.pk]
    assert Outbox.objects.filter(event="tender.opening_quorum_late", recipient=auditor).count() == 1
    services.tenders_advance_due()
    assert Outbox.objects.filter(event="tender.opening_quorum_late", recipient=auditor).count() == 1
    page = client.get(f"/bids/tender/{tender.pk}/opening/").content.decode()
    assert "The opening waits for its key custodians" in page
    assert "1 of the 2 shares needed" in page  # the platform's, released at closing

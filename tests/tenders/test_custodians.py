"""Key custodians and the publication ceremony's material: what the server accepts, and what it refuses."""

import base64

import pytest
from nacl.public import PrivateKey

from procurement.errors import DomainError
from procurement.roles import Role
from sealclient import sealing as client
from tenders import services
from tenders.models import Custodian, Tender
from tenders.services.custodians import TenderSealing
from tests import sealing
from tests.factories import UserFactory
from tests.tenders.conftest import tender_data

pytestmark = pytest.mark.django_db

# The fastest Argon2id limits the portal accepts (libsodium's INTERACTIVE), to keep the tests quick.
FAST = {"opslimit": 2, "memlimit": 64 * 1024 * 1024}


def _blob(passphrase="correct horse battery staple"):
    public, blob = client.custodian_enrol(passphrase, **FAST)
    return public, blob


def _as_json(blob) -> dict:
    return blob.as_json()


def test_an_auditor_enrols_with_a_key_made_elsewhere_and_the_server_keeps_only_the_encrypted_blob(auditor):
    public, blob = _blob()
    custodian = services.custodian_enrol(user=auditor, public_key=public, sealed_private_key=_as_json(blob))
    assert custodian.kind == Custodian.Kind.AUDITOR
    assert bytes(custodian.public_key) == public
    stored = custodian.sealed_private_key
    # The passphrase opens it (in the custodian's browser); the server has no passphrase.
    private = client.custodian_key_unwrap(stored, "correct horse battery staple")
    assert client.public_key_of(private) == public
    with pytest.raises(client.SealingError):
        client.custodian_key_unwrap(stored, "wrong passphrase")


def test_re_enrolling_retires_the_old_key(auditor):
    first = services.custodian_enrol(user=auditor, public_key=_blob()[0], sealed_private_key=_as_json(_blob()[1]))
    public, blob = _blob()
    second = services.custodian_enrol(user=auditor, public_key=public, sealed_private_key=_as_json(blob))
    first.refresh_from_db()
    assert not first.is_active
    assert second.is_active


def test_a_weak_passphrase_derivation_or_a_malformed_blob_is_refused(auditor):
    public, blob = _blob()
    weak = {**_as_json(blob), "memlimit": 8192}
    with pytest.raises(DomainError, match="too weak"):
        services.custodian_enrol(user=auditor, public_key=public, sealed_private_key=weak)
    with pytest.raises(DomainError, match="malformed"):
        services.custodian_enrol(user=auditor, public_key=public, sealed_private_key={**_as_json(blob), "salt": "x"})
    assert not Custodian.objects.filter(user=auditor).exists()


def test_suppliers_cannot_be_custodians(supplier_user):
    public, blob = _blob()
    with pytest.raises(DomainError, match="invited outside observers can hold tender keys"):
        services.custodian_enrol(user=supplier_user, public_key=public, sealed_private_key=_as_json(blob))


@pytest.fixture
def draft(official):
    return services.tender_create(actor=official, data=tender_data())


def test_the_draft_names_custodians_and_k_but_k_must_be_two_or_more_and_at_most_n(draft, official):
    platform = services.custodian_platform_ensure()
    auditor_key = sealing.custodian_make()
    with pytest.raises(DomainError, match="between 2"):
        services.tender_custodians_set(
            tender=draft, actor=official, custodian_ids=[platform.pk, auditor_key.pk], threshold=1
        )
    with pytest.raises(DomainError, match="between 2"):
        services.tender_custodians_set(
            tender=draft, actor=official, custodian_ids=[platform.pk, auditor_key.pk], threshold=3
        )
    with pytest.raises(DomainError, match="at least 2"):
        services.tender_custodians_set(tender=draft, actor=official, custodian_ids=[platform.pk], threshold=2)
    services.tender_custodians_set(
        tender=draft, actor=official, custodian_ids=[platform.pk, auditor_key.pk], threshold=2
    )
    assert draft.custodians.count() == 2


def test_an_official_of_another_entity_cannot_hold_this_tenders_key(draft, official):
    from tests.factories import OfficialFactory

    outsider = sealing.custodian_make(user=OfficialFactory().user, kind=Custodian.Kind.OFFICIAL)
    insider = sealing.custodian_make(user=OfficialFactory(entity=draft.entity).user, kind=Custodian.Kind.OFFICIAL)
    platform = services.custodian_platform_ensure()
    with pytest.raises(DomainError, match="cannot hold"):
        services.tender_custodians_set(
            tender=draft, actor=official, custodian_ids=[platform.pk, outsider.pk], threshold=2
        )
    services.tender_custodians_set(tender=draft, actor=official, custodian_ids=[platform.pk, insider.pk], threshold=2)


def test_custodians_cannot_change_after_publication(draft, official):
    tender = sealing.publish(tender=draft, actor=official)
    with pytest.raises(DomainError, match="cannot change after publication"):
        services.tender_custodians_set(tender=tender, actor=official, custodian_ids=[], threshold=2)


def _material(tender, **changes) -> TenderSealing:
    tender = services.tender_reference_assign(tender=tender)
    material, _private = sealing.tender_seal_material(tender)
    return TenderSealing(**{**material.__dict__, **changes})


def test_publication_refuses_material_that_does_not_match_the_named_custodians(draft, official):
    sealing.custodians_name(draft)
    good = _material(draft)
    one_short = dict(list(good.shares.items())[:-1])
    with pytest.raises(DomainError, match="one sealed share for each named custodian"):
        services.tender_publish(tender=draft, actor=official, sealing=_material(draft, shares=one_short))
    stranger = sealing.custodian_make()
    extra = {**good.shares, stranger.pk: next(iter(good.shares.values()))}
    with pytest.raises(DomainError, match="one sealed share for each named custodian"):
        services.tender_publish(tender=draft, actor=official, sealing=_material(draft, shares=extra))
    draft.refresh_from_db()
    assert draft.status == Tender.Status.DRAFT
    assert draft.public_key is None


def test_publication_parses_only_well_formed_material():
    with pytest.raises(DomainError, match="32 bytes"):
        services.tender_sealing_parse({"public_key": base64.b64encode(b"short").decode(), "shares": []})
    public = base64.b64encode(bytes(PrivateKey.generate().public_key)).decode()
    with pytest.raises(DomainError, match="malformed"):
        services.tender_sealing_parse({"public_key": public, "shares": [{"custodian": 1, "sealed_share": "AAAA"}]})
    with pytest.raises(DomainError, match="commitment"):
        services.tender_sealing_parse(
            {"public_key": public, "shares": [], "reserve_prices": {"ciphertext": "AAAA", "commitment": "0" * 64}}
        )


def test_sealed_reserve_prices_are_required_for_the_floor_rate_method_and_only_for_it(official):
    reserve_draft = services.tender_create(actor=official, data=tender_data(evaluation_method="floor_rate_reserve"))
    sealing.custodians_name(reserve_draft)
    with pytest.raises(DomainError, match="reserve prices are required"):
        services.tender_publish(tender=reserve_draft, actor=official, sealing=_material(reserve_draft, reserve=None))
    lowest = services.tender_create(actor=official, data=tender_data())
    sealing.custodians_name(lowest)
    reserve = sealing.reserve_seal(reserve_draft, bytes(PrivateKey.generate().public_key), amendment=0)
    with pytest.raises(DomainError, match="reserve prices are required"):
        services.tender_publish(tender=lowest, actor=official, sealing=_material(lowest, reserve=reserve))


def test_the_default_custodians_of_the_entity_are_named_on_a_new_draft(official):
    auditor_key = sealing.custodian_make(user=UserFactory(role=Role.AUDITOR))
    entity = official.official.entity
    entity.default_custodians.add(auditor_key)
    draft = services.tender_create(actor=official, data=tender_data())
    named = {tc.custodian_id for tc in draft.custodians.all()}
    assert auditor_key.pk in named
    assert services.custodian_platform_ensure().pk in named
    assert named == {c.pk for c in entity.default_custodians.all()} | {services.custodian_platform_ensure().pk}
    assert draft.custodian_threshold == 2

"""Key custodians without the Django admin: an entity's official invites an outside observer by email,
who accepts and enrols a key made in the browser; the draft's custodians and k are chosen on the
draft's own page; whoever can hold keys finds the custodian page in the menu."""

import json

import pytest
from django.core import mail
from django.urls import reverse

from procurement.errors import Conflict, Forbidden, Invalid
from procurement.models import AuditEntry, Outbox
from procurement.roles import Role
from procurement.sealing import b64encode
from sealclient import sealing as reference_client
from tenders import selectors, services
from tenders.models import Custodian, ObserverInvitation, Tender
from tests.conftest import enrol_totp
from tests.factories import OfficialFactory, UserFactory
from tests.sealing import custodian_make
from tests.tenders.conftest import tender_data

pytestmark = pytest.mark.django_db


def nav_urls(client) -> set[str]:
    return {item["url"] for item in client.get(reverse("home")).context["nav_items"]}


def enrol_in_browser(client, user) -> Custodian:
    """What custodian.mjs posts: a public key and the Argon2id-encrypted private key."""
    public, blob = reference_client.custodian_enrol("observer passphrase 1", opslimit=2, memlimit=64 * 1024 * 1024)
    client.force_login(user)
    response = client.post(
        reverse("tenders:custodian"),
        {"public_key": b64encode(public), "sealed_private_key": json.dumps(blob.as_json())},
        follow=True,
    )
    assert "You are enrolled as a key custodian" in response.content.decode()
    return Custodian.objects.get(user=user, is_active=True)


def test_an_invited_observer_signs_up_accepts_enrols_and_can_be_named_on_the_entitys_tenders(
    client, official, django_capture_on_commit_callbacks
):
    client.force_login(official)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("tenders:observers"), {"email": "Mina@Watchdog.example"})
    assert response.status_code == 302
    invitation = ObserverInvitation.objects.get()
    assert invitation.email == "mina@watchdog.example"
    [message] = [m for m in mail.outbox if "mina@watchdog.example" in m.to]
    assert invitation.get_absolute_url() in message.body
    assert AuditEntry.objects.filter(action="custodian.observer_invite", actor=official).exists()

    # Mina signs up with that address (a plain account), opens the link and accepts.
    mina = UserFactory(email="mina@watchdog.example")
    assert mina.role == Role.SUPPLIER
    client.force_login(mina)
    assert "Accept the invitation" in client.get(invitation.get_absolute_url()).content.decode()
    response = client.post(invitation.get_absolute_url())
    assert response.url == reverse("tenders:custodian")
    mina.refresh_from_db()
    assert mina.role == Role.OBSERVER
    assert AuditEntry.objects.filter(action="custodian.observer_accept", actor=mina).exists()

    # Like every role that holds tender keys, she enrols in MFA before she can do anything.
    before_mfa = client.get(reverse("tenders:custodian"))
    assert before_mfa.status_code == 302
    assert "/accounts/2fa/" in before_mfa.url
    enrol_totp(mina)
    mina = type(mina).objects.get(pk=mina.pk)
    client.force_login(mina)
    assert reverse("tenders:custodian") in nav_urls(client)
    custodian = enrol_in_browser(client, mina)
    assert custodian.kind == Custodian.Kind.OBSERVER

    # She can hold keys of the inviting entity's tenders, not of another entity's.
    ours = services.tender_create(actor=official, data=tender_data())
    assert custodian in selectors.custodians_eligible(ours)
    stranger = OfficialFactory(user__email="sol@elsewhere.example")
    enrol_totp(stranger.user)
    theirs = services.tender_create(actor=stranger.user, data=tender_data())
    assert custodian not in selectors.custodians_eligible(theirs)


def test_an_existing_plain_account_is_told_through_the_outbox(official):
    oscar = UserFactory(email="oscar@nowhere.example")
    services.observer_invite(actor=official, email=oscar.email)
    assert Outbox.objects.filter(event="custodian.observer_invite", recipient=oscar).exists()


def test_a_suppliers_people_officials_and_auditors_cannot_become_observers(official, supplier_user, auditor):
    for user in (supplier_user, auditor):
        with pytest.raises(Invalid, match="cannot be an outside observer"):
            services.observer_invite(actor=official, email=user.email)
    # An invitation sent before the address joined a company is refused on acceptance.
    late = UserFactory(email="late@supplier.example")
    invitation = services.observer_invite(actor=official, email=late.email)
    from suppliers.models import SupplierMember
    from tests.factories import SupplierFactory

    SupplierMember.objects.create(user=late, supplier=SupplierFactory(), role=SupplierMember.Role.BIDDER)
    late = type(late).objects.get(pk=late.pk)
    with pytest.raises(Forbidden):
        services.observer_accept(invitation=invitation, user=late)
    assert type(late).objects.get(pk=late.pk).role == Role.SUPPLIER


def test_only_the_invited_verified_address_accepts_and_only_once(official, outsider):
    invitation = services.observer_invite(actor=official, email="mina@watchdog.example")
    with pytest.raises(Forbidden, match="another email address"):
        services.observer_accept(invitation=invitation, user=outsider)
    mina = UserFactory(email="mina@watchdog.example")
    mina.emailaddress_set.update(verified=False)
    with pytest.raises(Forbidden, match="another email address"):
        services.observer_accept(invitation=invitation, user=mina)
    mina.emailaddress_set.update(verified=True)
    services.observer_accept(invitation=invitation, user=mina)
    with pytest.raises(Conflict):
        services.observer_accept(invitation=invitation, user=mina)


def test_only_officials_invite_and_only_so_many_a_day(client, official, supplier_user, auditor):
    for user in (supplier_user, auditor):
        client.force_login(user)
        assert client.get(reverse("tenders:observers")).status_code == 403
        with pytest.raises(Forbidden):
            services.observer_invite(actor=user, email="x@watchdog.example")
    for n in range(services.custodians.OBSERVER_INVITATIONS_PER_DAY):
        services.observer_invite(actor=official, email=f"person{n}@watchdog.example")
    with pytest.raises(Conflict) as refused:
        services.observer_invite(actor=official, email="one-more@watchdog.example")
    assert refused.value.code == "rate_limited"


def test_an_official_withdraws_an_open_invitation(client, official):
    invitation = services.observer_invite(actor=official, email="mina@watchdog.example")
    client.force_login(official)
    client.post(reverse("tenders:observer_revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    mina = UserFactory(email="mina@watchdog.example")
    with pytest.raises(Conflict, match="expired or was withdrawn"):
        services.observer_accept(invitation=invitation, user=mina)


def test_the_draft_page_names_custodians_and_k(client, official):
    draft = services.tender_create(actor=official, data=tender_data())
    colleague = custodian_make(user=OfficialFactory(entity=official.official.entity).user, kind=Custodian.Kind.OFFICIAL)
    auditor = custodian_make()
    client.force_login(official)
    page = client.get(reverse("tenders:custodians", args=[draft.pk])).content.decode()
    assert colleague.fingerprint in page
    assert auditor.fingerprint in page
    response = client.post(
        reverse("tenders:custodians", args=[draft.pk]),
        {"custodians": [colleague.pk, auditor.pk], "custodian_threshold": 2},
    )
    assert response.status_code == 302
    assert {tc.custodian_id for tc in draft.custodians.all()} == {colleague.pk, auditor.pk}
    assert AuditEntry.objects.filter(action="tender.custodians_set", object_id=str(draft.pk)).exists()

    # k larger than n, or a custodian of another entity, is refused on the form.
    response = client.post(
        reverse("tenders:custodians", args=[draft.pk]),
        {"custodians": [colleague.pk, auditor.pk], "custodian_threshold": 3},
    )
    assert response.status_code == 200
    assert "between 2 and the number of custodians" in response.content.decode()
    outsider_official = custodian_make(user=OfficialFactory().user, kind=Custodian.Kind.OFFICIAL)
    response = client.post(
        reverse("tenders:custodians", args=[draft.pk]),
        {"custodians": [colleague.pk, outsider_official.pk], "custodian_threshold": 2},
    )
    assert response.status_code == 200
    assert {tc.custodian_id for tc in draft.custodians.all()} == {colleague.pk, auditor.pk}


def test_custodians_cannot_change_after_publication_or_by_another_entity(client, official, rita):
    from tests.sealing import publish

    published = publish(tender=services.tender_create(actor=official, data=tender_data()), actor=official)
    assert published.status == Tender.Status.PUBLISHED
    client.force_login(official)
    assert client.get(reverse("tenders:custodians", args=[published.pk])).status_code == 403
    draft = services.tender_create(actor=official, data=tender_data())
    client.force_login(rita)
    assert client.get(reverse("tenders:custodians", args=[draft.pk])).status_code in (403, 404)


@pytest.mark.parametrize(
    ("person", "sees_it"), [("official", True), ("auditor", True), ("supplier_user", False), ("outsider", False)]
)
def test_the_menu_links_the_custodian_page_for_whoever_can_hold_keys(client, request, person, sees_it):
    client.force_login(request.getfixturevalue(person))
    assert (reverse("tenders:custodian") in nav_urls(client)) is sees_it


def test_custodians_are_told_at_publication_and_their_page_lists_their_shares(client, official):
    from bidding.services import key_share_submit
    from tests.bidding.helpers import set_times
    from tests.sealing import custodians_name, human_custodians, publish, share_of

    draft = services.tender_create(actor=official, data=tender_data(title="청사 경비 용역"))
    custodians_name(draft, people=2, threshold=2)
    published = publish(tender=draft, actor=official)
    people = human_custodians(published)
    for tc in people:
        assert Outbox.objects.filter(event="tender.custodian_named", recipient=tc.custodian.user).exists()

    first = people[0].custodian.user
    enrol_totp(first)
    client.force_login(first)
    row = _share_row(client, published)
    assert "청사 경비 용역" in row
    assert "Due after the deadline" in row

    set_times(published, deadline=-1, opening=3600)
    Tender.objects.filter(pk=published.pk).update(status=Tender.Status.CLOSED)
    assert reverse("bidding:key_share", args=[published.pk]) in _share_row(client, published)
    key_share_submit(tender_id=published.pk, actor=first, share=share_of(people[0]))
    assert "Released" in _share_row(client, published)


def _share_row(client, tender) -> str:
    html = client.get(reverse("tenders:custodian")).content.decode()
    start = html.index(f'<tr data-tender="{tender.pk}">')
    return html[start : html.index("</tr>", start)]


def test_an_approving_official_sets_the_entitys_default_custodians_for_new_drafts(client, official):
    entity = official.official.entity
    approver = OfficialFactory(entity=entity, can_approve=True).user
    enrol_totp(approver)
    colleague = custodian_make(user=OfficialFactory(entity=entity).user, kind=Custodian.Kind.OFFICIAL)
    auditor = custodian_make()
    client.force_login(approver)
    assert colleague.fingerprint in client.get(reverse("tenders:custodian_defaults")).content.decode()
    response = client.post(
        reverse("tenders:custodian_defaults"), {"custodians": [colleague.pk, auditor.pk], "custodian_threshold": 3}
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="entity.custodian_defaults_set", actor=approver).exists()
    olivia = type(official).objects.get(pk=official.pk)  # as her next request loads her
    draft = services.tender_create(actor=olivia, data=tender_data())
    named = {tc.custodian for tc in draft.custodians.select_related("custodian")}
    assert {colleague, auditor} <= named
    assert {c.kind for c in named} == {Custodian.Kind.PLATFORM, Custodian.Kind.OFFICIAL, Custodian.Kind.AUDITOR}
    assert draft.custodian_threshold == 3


def test_default_custodians_follow_the_rules_and_only_approvers_set_them(client, official):
    entity = official.official.entity
    before = list(entity.default_custodians.all())
    elsewhere = custodian_make(user=OfficialFactory().user, kind=Custodian.Kind.OFFICIAL)
    with pytest.raises(Forbidden):  # Olivia drafts and publishes, but does not approve
        services.entity_custodian_defaults_set(actor=official, custodian_ids=[c.pk for c in before], threshold=2)
    approver = OfficialFactory(entity=entity, can_approve=True).user
    enrol_totp(approver)
    with pytest.raises(services.TenderValidationError) as refused:
        services.entity_custodian_defaults_set(actor=approver, custodian_ids=[elsewhere.pk], threshold=2)
    assert "custodians" in refused.value.errors
    with pytest.raises(services.TenderValidationError) as refused:
        services.entity_custodian_defaults_set(actor=approver, custodian_ids=[c.pk for c in before], threshold=5)
    assert "custodian_threshold" in refused.value.errors
    assert list(entity.default_custodians.all()) == before

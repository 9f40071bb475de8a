"""Who hears about a new tender: alerts by entity and classification; invitations for restricted ones."""

import pytest
from django.urls import reverse

from procurement.models import Outbox
from suppliers.models import Supplier
from tenders import services, signals
from tenders.models import Invitation, Subscription
from tenders.selectors import tender_supplier_may_bid
from tests import sealing
from tests.factories import SupplierMemberFactory
from tests.tenders.conftest import login, make_classification, tender_data

pytestmark = pytest.mark.django_db


def recipients(event="tender.published"):
    return set(Outbox.objects.filter(event=event).values_list("recipient__email", flat=True))


def subscribe(user, *, entities=(), classifications=()):
    return services.subscription_update(
        supplier=user.supplier_membership.supplier,
        actor=user,
        entities=list(entities),
        classifications=list(classifications),
    )


def test_suppliers_following_the_entity_are_notified(official, entity, draft, supplier_user, other_supplier_user):
    subscribe(supplier_user, entities=[entity])
    colleague = SupplierMemberFactory(supplier=supplier_user.supplier_membership.supplier).user
    sealing.publish(tender=draft, actor=official)
    assert recipients() == {supplier_user.email, colleague.email}


def test_paused_alerts_and_unvetted_companies_are_not_notified(official, entity, draft, supplier_user):
    pending = SupplierMemberFactory(supplier__status=Supplier.Status.PENDING).user
    subscribe(pending, entities=[entity])
    services.subscription_update(
        supplier=supplier_user.supplier_membership.supplier,
        actor=supplier_user,
        entities=[entity],
        classifications=[],
        is_active=False,
    )
    sealing.publish(tender=draft, actor=official)
    assert recipients() == set()


@pytest.mark.parametrize(
    ("subscribed", "tender_code", "notified"),
    [
        ("30213100", "30213100", True),  # the same code
        ("30000000", "30213100", True),  # its division
        ("30200000", "30213100", True),  # its group
        ("30230000", "30213100", True),  # another class in the same group (302)
        ("30213100", "30000000", True),  # a tender classified only at the division level
        ("30100000", "30213100", False),  # another group of the division
        ("45000000", "30213100", False),  # another division
    ],
)
def test_classification_alerts_match_on_the_code_prefix(
    official, draft, supplier_user, subscribed, tender_code, notified
):
    subscribe(supplier_user, classifications=[make_classification(subscribed)])
    draft.classifications.set([make_classification(tender_code)])
    sealing.publish(tender=draft, actor=official)
    assert (supplier_user.email in recipients()) is notified


def test_a_restricted_tender_notifies_only_invited_suppliers(official, entity, supplier_user, other_supplier_user):
    subscribe(other_supplier_user, entities=[entity])
    tender = services.tender_create(actor=official, data=tender_data(method="restricted"))
    services.tender_invitations_set(
        tender=tender, actor=official, suppliers=[supplier_user.supplier_membership.supplier]
    )
    sealing.publish(tender=tender, actor=official)
    assert recipients() == {supplier_user.email}
    mail = Outbox.objects.get(event="tender.published")
    assert "restricted" in mail.subject.lower()
    assert "only invited suppliers may bid" in mail.body


def test_a_restricted_tender_needs_an_invitation_before_publication(official):
    tender = services.tender_create(actor=official, data=tender_data(method="restricted"))
    with pytest.raises(services.TenderValidationError) as exc:
        sealing.publish(tender=tender, actor=official)
    assert "invitations" in exc.value.errors


def test_the_notice_of_a_restricted_tender_says_so(client, official, supplier_user):
    tender = services.tender_create(actor=official, data=tender_data(method="restricted"))
    services.tender_invitations_set(
        tender=tender, actor=official, suppliers=[supplier_user.supplier_membership.supplier]
    )
    sealing.publish(tender=tender, actor=official)
    html = client.get(reverse("tenders:detail", args=[tender.pk])).content.decode()
    assert "Restricted tender" in html
    assert "Only suppliers invited by the procuring entity may bid." in html


def test_who_may_bid_depends_on_the_method(official, supplier_user, other_supplier_user):
    invited = supplier_user.supplier_membership.supplier
    uninvited = other_supplier_user.supplier_membership.supplier
    open_tender = services.tender_create(actor=official, data=tender_data())
    assert tender_supplier_may_bid(tender=open_tender, supplier=uninvited)
    for method in ("restricted", "limited"):
        tender = services.tender_create(
            actor=official, data=tender_data(method=method, method_justification="긴급 복구")
        )
        Invitation.objects.create(tender=tender, supplier=invited, invited_by=official)
        assert tender_supplier_may_bid(tender=tender, supplier=invited)
        assert not tender_supplier_may_bid(tender=tender, supplier=uninvited)


def test_suppliers_invited_after_publication_are_told(official, supplier_user, other_supplier_user):
    tender = services.tender_create(actor=official, data=tender_data(method="restricted"))
    services.tender_invitations_set(
        tender=tender, actor=official, suppliers=[supplier_user.supplier_membership.supplier]
    )
    sealing.publish(tender=tender, actor=official)
    Outbox.objects.all().delete()
    services.tender_invitations_set(
        tender=tender,
        actor=official,
        suppliers=[supplier_user.supplier_membership.supplier, other_supplier_user.supplier_membership.supplier],
    )
    assert recipients() == {other_supplier_user.email}


def test_cancellation_notifies_followers_and_signals_bidding(official, entity, published, supplier_user):
    subscribe(supplier_user, entities=[entity])
    seen = []

    def receiver(sender, tender, actor, reason, **kwargs):
        seen.append(reason)

    signals.tender_cancelled.connect(receiver)
    try:
        services.tender_cancel(tender=published, actor=official, reason="예산 삭감")
    finally:
        signals.tender_cancelled.disconnect(receiver)
    assert seen == ["예산 삭감"]
    assert recipients("tender.cancelled") == {supplier_user.email}


def test_the_alerts_page_saves_a_subscription(client, entity, supplier_user):
    login(client, supplier_user)
    assert client.get(reverse("tenders:alerts")).status_code == 200
    response = client.post(reverse("tenders:alerts"), {"is_active": "on", "entities": [entity.pk]})
    assert response.status_code == 302
    subscription = Subscription.objects.get(supplier=supplier_user.supplier_membership.supplier)
    assert list(subscription.entities.all()) == [entity]


def test_officials_have_no_alerts_page(client, official):
    login(client, official)
    assert client.get(reverse("tenders:alerts")).status_code == 403

"""Following a tender and companies' alerts (subscriptions)."""

from django.db import transaction
from django.utils.translation import gettext as _

from procurement.audit import audit_record
from procurement.errors import Conflict

from ..models import Subscription, Tender, TenderFollow
from .common import (
    set_classifications,
)


def tender_follow(*, tender: Tender, user, follow: bool = True) -> bool:
    """Follow or unfollow a public tender. Returns whether the user now follows it."""
    if not tender.is_public:
        raise Conflict(_("This tender cannot be followed."))
    if follow:
        TenderFollow.objects.get_or_create(tender=tender, user=user)
    else:
        TenderFollow.objects.filter(tender=tender, user=user).delete()
    return follow


def subscription_update(*, supplier, actor, classifications, entities, is_active: bool = True) -> Subscription:
    """A company's alerts: new tenders in these classifications or from these entities."""
    with transaction.atomic():
        subscription, _created = Subscription.objects.select_for_update().get_or_create(supplier=supplier)
        subscription.is_active = is_active
        subscription.save()
        set_classifications(subscription, classifications)
        subscription.entities.set(entities)
        audit_record(
            actor=actor,
            action="tender.subscription_update",
            obj=subscription,
            data={
                "classifications": sorted(c.code for c in classifications),
                "entities": sorted(e.code for e in entities),
                "active": is_active,
            },
        )
    return subscription

"""Helpers for joint bidding and bid security tests: consortia formed and confirmed through the services."""

from decimal import Decimal

from bidding.models import Consortium
from bidding.services.consortium import MemberTerms, consortium_create, consortium_respond
from bidding.services.securities import bid_security_attach
from tests.factories import IssuedGuaranteeFactory


def company(user):
    return user.supplier_membership.supplier


def form_consortium(tender, lead_user, partner_users, *, shares=(50, 30, 20), confirm=True) -> Consortium:
    """Lead forms a consortium with the partners (shares: lead first); each partner confirms."""
    consortium = consortium_create(
        tender=tender,
        actor=lead_user,
        name="한빛 공동수급체",
        performance=Consortium.Performance.JOINT,
        lead_share=shares[0],
        partners=[MemberTerms(company(u), Decimal(s)) for u, s in zip(partner_users, shares[1:], strict=True)],
    )
    if confirm:
        for user in partner_users:
            member = consortium.members.get(supplier=company(user))
            consortium_respond(member=member, actor=user, accept=True)
    consortium.refresh_from_db()
    return consortium


def attach_security(tender, user, *, amount=5_000_000, **issued):
    """Issue a guarantee in the simulated issuer's book for the user's company and attach it."""
    guarantee = IssuedGuaranteeFactory(principal=company(user), tender=tender, amount=amount, **issued)
    return bid_security_attach(
        tender=tender,
        actor=user,
        issuer=guarantee.issuer,
        number=guarantee.number,
        amount=amount,
        valid_until=guarantee.valid_until,
    )

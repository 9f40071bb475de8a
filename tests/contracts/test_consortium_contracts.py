"""A consortium's contract is signed by every member; securities of winners that refuse are called;
performance securities follow the bid security's model."""

from datetime import timedelta
from decimal import Decimal

import pytest

from bidding.models import BidSecurity
from bidding.services.securities import bid_security_release
from contracts import services
from contracts.models import Contract, PerformanceSecurity, Signature
from contracts.services.securities import (
    bid_security_call,
    performance_security_attach,
    performance_security_decide,
)
from procurement.errors import Conflict, Forbidden, Invalid
from procurement.models import Outbox
from tests.bidding.helpers import bidder, close_and_open, published_tender, submit
from tests.bidding.joint import attach_security, company, form_consortium
from tests.factories import IssuedGuaranteeFactory

from .test_awards import after_standstill
from .test_contracts import sign, terms

pytestmark = pytest.mark.django_db


def won_by_consortium(official):
    """A 5 %-security tender won by a consortium of three (lead Lena, partners Pia and Quinn)."""
    tender = published_tender(
        entity=official.official.entity,
        created_by=official,
        consortium_allowed=True,
        bid_security_kind="percent",
        bid_security_value=5,
    )
    lead, partners = bidder(), [bidder(), bidder()]
    form_consortium(tender, lead, partners)
    attach_security(tender, lead, amount=4_500_000)
    submit(tender, lead, price="90000000")
    rival = bidder()
    attach_security(tender, rival, amount=5_000_000)
    submit(tender, rival, price="95000000")
    close_and_open(tender)
    evaluation = services.evaluation_start(tender=tender, actor=official)
    services.assessment_review(assessment=services.next_for_review(evaluation), actor=official, passed=True)
    services.evaluation_complete(evaluation=evaluation, actor=official)
    award = services.award_propose(tender=tender, actor=official)
    with after_standstill(award):
        services.award_finalise(award=award, actor=official)
    award.refresh_from_db()
    return award, lead, partners, rival


def test_every_member_of_the_consortium_signs_before_the_contract_is_active(official):
    award, lead, partners, _rival = won_by_consortium(official)
    assert award.bid.consortium is not None
    contract = services.contract_create(award=award, actor=official, terms=terms())

    sign(contract, official)
    sign(contract, lead)
    sign(contract, partners[0])
    contract.refresh_from_db()
    assert contract.status == Contract.Status.DRAFT
    with pytest.raises(Conflict, match="already signed"):
        sign(contract, partners[0])

    sign(contract, partners[1])

    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    signed_for = set(Signature.objects.filter(party="supplier").values_list("supplier_id", flat=True))
    assert signed_for == {company(lead).pk, company(partners[0]).pk, company(partners[1]).pk}
    assert Outbox.objects.filter(recipient=partners[1], event="contract.signed").exists()


def test_a_company_outside_the_consortium_cannot_sign_its_contract(official):
    award, _lead, _partners, rival = won_by_consortium(official)
    contract = services.contract_create(award=award, actor=official, terms=terms())
    with pytest.raises(Forbidden):
        sign(contract, rival)


def test_the_winners_security_is_held_until_it_signs_and_called_when_it_refuses(official):
    _award, lead, _partners, rival = won_by_consortium(official)
    winner_security = BidSecurity.objects.get(supplier=company(lead))
    loser_security = BidSecurity.objects.get(supplier=company(rival))

    bid_security_release(security=loser_security, actor=official)
    with pytest.raises(Conflict, match="held until its contract is signed"):
        bid_security_release(security=winner_security, actor=official)
    with pytest.raises(Conflict, match="refused to sign"):
        bid_security_call(security=loser_security, actor=official, reason="—")

    # The winner does not sign within the time allowed: the official calls its security.
    bid_security_call(security=winner_security, actor=official, reason="낙찰자가 계약 체결을 거부함")

    winner_security.refresh_from_db()
    assert winner_security.status == BidSecurity.Status.CALLED
    notice = Outbox.objects.get(recipient=lead, event="bid_security.call")
    assert "계약 체결을 거부함" in notice.body


def test_a_performance_security_is_verified_for_the_contract_and_called_on_termination(official):
    award, lead, partners, _rival = won_by_consortium(official)
    contract = services.contract_create(award=award, actor=official, terms=terms())
    required = Decimal("9000000")  # 10 % of 90,000,000
    guarantee = IssuedGuaranteeFactory(
        principal=company(lead),
        tender=award.tender,
        beneficiary_reference=contract.reference,
        amount=required - 1,
        valid_until=contract.end_date + timedelta(days=30),
    )
    with pytest.raises(Invalid, match="at least 9,000,000"):
        performance_security_attach(
            contract=contract,
            actor=lead,
            issuer=guarantee.issuer,
            number=guarantee.number,
            amount=guarantee.amount,
            valid_until=guarantee.valid_until,
        )
    with pytest.raises(Forbidden):
        performance_security_attach(
            contract=contract,
            actor=partners[0],
            issuer=guarantee.issuer,
            number=guarantee.number,
            amount=required,
            valid_until=guarantee.valid_until,
        )
    guarantee.amount = required
    guarantee.save()
    security = performance_security_attach(
        contract=contract,
        actor=lead,
        issuer=guarantee.issuer,
        number=guarantee.number,
        amount=required,
        valid_until=guarantee.valid_until,
    )
    assert security.is_verified
    with pytest.raises(Conflict):
        performance_security_decide(security=security, actor=official, call=True, reason="Not delivered.")

    services.contract_terminate(contract=contract, actor=official, reason="The contractor never started.")
    performance_security_decide(security=security, actor=official, call=True, reason="Not delivered.")

    security.refresh_from_db()
    assert security.status == PerformanceSecurity.Status.CALLED


def test_the_contract_page_takes_the_performance_security_and_shows_the_issuers_answer(official, client):
    award, lead, _partners, _rival = won_by_consortium(official)
    contract = services.contract_create(award=award, actor=official, terms=terms())
    guarantee = IssuedGuaranteeFactory(
        principal=company(lead),
        tender=award.tender,
        beneficiary_reference=contract.reference,
        amount=9_000_000,
        valid_until=contract.end_date + timedelta(days=30),
    )
    client.force_login(lead)

    page = client.get(contract.get_absolute_url()).content.decode()
    assert "9,000,000 KRW required" in page
    client.post(
        f"/contracts/{contract.pk}/performance-security/",
        {
            "issuer": guarantee.issuer.pk,
            "number": guarantee.number,
            "amount": "9000000",
            "valid_until": guarantee.valid_until.isoformat(),
        },
    )

    security = PerformanceSecurity.objects.get(contract=contract)
    assert security.is_verified
    assert "Confirmed by the issuer." in client.get(contract.get_absolute_url()).content.decode()

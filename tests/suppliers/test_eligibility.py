"""supplier_eligibility: the one answer the bidding service asks before accepting a bid."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from suppliers.models import Supplier
from suppliers.selectors import supplier_eligibility
from suppliers.services import sanction_lift, sanction_record, supplier_reinstate, supplier_suspend
from tests.factories import SanctionFactory, SupplierFactory

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")


def seoul(*args) -> datetime:
    return datetime(*args, tzinfo=SEOUL)


def test_an_approved_company_without_sanctions_is_eligible():
    result = supplier_eligibility(supplier=SupplierFactory())
    assert result.eligible
    assert result.reasons == []


@pytest.mark.parametrize(
    "status", [Supplier.Status.PENDING, Supplier.Status.REJECTED, Supplier.Status.CHANGES_REQUESTED]
)
def test_a_company_not_approved_is_ineligible(status):
    result = supplier_eligibility(supplier=SupplierFactory(status=status))
    assert not result.eligible
    assert len(result.reasons) == 1


def test_a_suspended_company_is_ineligible_until_reinstated(platform_admin):
    supplier = SupplierFactory()
    supplier_suspend(supplier=supplier, actor=platform_admin, reason="Investigation.")
    result = supplier_eligibility(supplier=supplier)
    assert not result.eligible
    assert "suspended" in result.reasons[0]
    supplier_reinstate(supplier=supplier, actor=platform_admin)
    assert supplier_eligibility(supplier=supplier).eligible


def test_a_debarred_company_is_ineligible_during_the_sanction_and_eligible_after_it(platform_admin):
    supplier = SupplierFactory()
    with time_machine.travel(seoul(2027, 3, 1, 9), tick=False):
        sanction_record(
            supplier=supplier,
            actor=platform_admin,
            starts_on=date(2027, 3, 1),
            ends_on=date(2027, 8, 31),
            legal_ground="국가계약법 제27조",
            reason="Collusion.",
            deciding_body="조달청",
        )
        result = supplier_eligibility(supplier=supplier)
        assert not result.eligible
        assert "debarred" in result.reasons[0]
        assert "2027-08-31" in result.reasons[0]
    with time_machine.travel(seoul(2027, 8, 31, 23, 59, 59), tick=False):
        assert not supplier_eligibility(supplier=supplier).eligible
    with time_machine.travel(seoul(2027, 9, 1, 0, 0, 1), tick=False):
        assert supplier_eligibility(supplier=supplier).eligible


def test_the_sanction_period_is_read_in_the_portals_time_zone():
    # 2027-09-01 00:30 in Seoul is still 2027-08-31 in UTC: the sanction has ended in Seoul.
    supplier = SupplierFactory()
    SanctionFactory(supplier=supplier, starts_on=date(2027, 3, 1), ends_on=date(2027, 8, 31))
    assert supplier_eligibility(supplier=supplier, at=seoul(2027, 9, 1, 0, 30)).eligible
    # And 2027-03-01 08:00 in Seoul (2027-02-28 23:00 UTC) is already the first day.
    assert not supplier_eligibility(supplier=supplier, at=seoul(2027, 3, 1, 8)).eligible
    assert supplier_eligibility(supplier=supplier, at=seoul(2027, 2, 28, 23, 59)).eligible


def test_a_sanction_that_has_not_started_does_not_stop_bids_yet():
    supplier = SupplierFactory()
    SanctionFactory(supplier=supplier, starts_on=date(2027, 5, 1), ends_on=date(2027, 5, 31))
    assert supplier_eligibility(supplier=supplier, at=seoul(2027, 4, 30, 12)).eligible
    assert not supplier_eligibility(supplier=supplier, at=seoul(2027, 5, 1, 12)).eligible


def test_a_lifted_sanction_no_longer_counts_but_did_before_it_was_lifted(platform_admin):
    supplier = SupplierFactory()
    sanction = SanctionFactory(supplier=supplier)
    lifted_at = datetime.now(tz=SEOUL)
    sanction_lift(sanction=sanction, actor=platform_admin, reason="Stayed by the court.")
    assert supplier_eligibility(supplier=supplier).eligible
    assert not supplier_eligibility(supplier=supplier, at=lifted_at - timedelta(hours=1)).eligible


def test_a_suspended_and_debarred_company_gets_both_reasons():
    supplier = SupplierFactory(status=Supplier.Status.SUSPENDED)
    SanctionFactory(supplier=supplier)
    result = supplier_eligibility(supplier=supplier)
    assert not result.eligible
    assert len(result.reasons) == 2


def test_another_companys_sanction_does_not_matter():
    SanctionFactory()
    assert supplier_eligibility(supplier=SupplierFactory()).eligible

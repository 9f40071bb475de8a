"""A small market built row by row: tenders with opened bids and awards at chosen prices and times.

Rules read committed rows, whoever wrote them; building the rows directly lets each test put a
number exactly at, just above or just below a threshold. The end-to-end path (real submission,
opening and award services) is covered by test_sweep.py and the browser journey.
"""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from bidding.models import Bid, BidVersion, OpenedBid, OpeningRecord
from contracts.models import Award
from procurement.audit import audit_record
from tests.factories import ProcuringEntityFactory, SupplierFactory, TenderFactory, UserFactory


def audited_save(tender) -> None:
    """Save a tender's changed dates or status with the audit entry the database insists on."""
    with transaction.atomic():  # the trigger checks at commit: both in one transaction
        tender.save()
        audit_record(actor=None, action="test.tender_changed", obj=tender)


class Market:
    def __init__(self):
        self.entity = ProcuringEntityFactory()
        self.user = UserFactory()
        self.clock = timezone.now() - timedelta(days=60)

    def supplier(self, **kwargs):
        return SupplierFactory(**kwargs)

    def suppliers(self, n: int):
        return [SupplierFactory() for _ in range(n)]

    def tender(self, *, entity=None, **kwargs):
        kwargs.setdefault("estimated_value", Decimal(100_000_000))
        return TenderFactory(published=True, entity=entity or self.entity, created_by=self.user, **kwargs)

    def opened(self, bids, *, tender=None, **tender_kwargs):
        """`bids`: [(supplier, price)] or [(supplier, price, outcome, bid_status)]. Returns the tender."""
        tender = tender or self.tender(**tender_kwargs)
        self.clock += timedelta(days=1)
        with transaction.atomic():  # the bids with the one entry that names them, as opening writes
            created = self._opened(tender, bids)
            audit_record(actor=None, action="test.market_opened", obj=tender, related={"bidding.bid": created})
        tender.status = "opened"
        audited_save(tender)
        return tender

    def _opened(self, tender, bids) -> dict:
        created = {}
        record = OpeningRecord.objects.create(
            tender=tender,
            evaluation_method=tender.evaluation_method,
            currency="KRW",
            bid_count=len(bids),
            valid_count=len(bids),
            reference_price=tender.estimated_value,
        )
        OpeningRecord.objects.filter(pk=record.pk).update(opened_at=self.clock)
        for entry in bids:
            supplier, price, outcome, status = (*entry, "ranked", "opened")[:4] if len(entry) == 2 else entry
            bid = Bid.objects.create(tender=tender, supplier=supplier, created_by=self.user, status=status)
            created[bid.pk] = {"status": (None, status), "outcome": (None, outcome)}
            version = BidVersion.objects.create(
                bid=bid,
                tender=tender,
                supplier=supplier,
                number=1,
                sealed_content=b"x",
                commitment=uuid.uuid4().hex,
                idempotency_key=uuid.uuid4(),
                submitted_by=self.user,
            )
            OpenedBid.objects.create(
                opening=record,
                bid=bid,
                supplier=supplier,
                version=version,
                commitment=version.commitment,
                commitment_ok=True,
                outcome=outcome,
                price=None if price is None else Decimal(price),
                currency="KRW",
                price_ratio=None if price is None else Decimal(price) * 100 / tender.estimated_value,
                submitted_at=self.clock,
            )
        return created

    @transaction.atomic
    def award(self, tender, supplier, *, status="final"):
        bid = Bid.objects.get(tender=tender, supplier=supplier)
        bid.status = "awarded"
        bid.save(update_fields=["status"])
        losers = Bid.objects.filter(tender=tender).exclude(pk=bid.pk).filter(status="opened")
        moved = {pk: {"status": ("opened", "not_awarded")} for pk in losers.values_list("pk", flat=True)}
        losers.update(status="not_awarded")
        award = Award.objects.create(
            tender=tender,
            bid=bid,
            supplier=supplier,
            status=status,
            value=bid.opened.price,
            currency="KRW",
            proposed_by=self.user,
            standstill_started_at=self.clock,
            finalised_at=self.clock if status == "final" else None,
        )
        moved[bid.pk] = {"status": ("opened", "awarded")}
        audit_record(actor=None, action="test.market_award", obj=award, related={"bidding.bid": moved})
        return award

    def won(self, bids, winner, **kwargs):
        """An opened tender awarded to `winner`."""
        tender = self.opened(bids, **kwargs)
        self.award(tender, winner)
        return tender

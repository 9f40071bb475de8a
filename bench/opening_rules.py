"""The opening's rules outside the sealed content (bidding.opening_rules), at two sizes side by side.

Registered in bench/run.py (results key `opening_rules`); alone:

    .venv/bin/python bench/opening_rules.py [--rules-bids 2000]

Setup (not timed): a tender requiring a 5 % bid security and allowing consortia; `rules_bids` bids
from fresh companies, half of them consortia of two confirmed members, every bidder with a verified
security (one in ten too small for its price). Timed: `opening_rejections` over all the bids and
over a tenth of them, interleaved rounds; queries counted. The rules are meant to cost a fixed
number of queries and time linear in the bids: the per-bid ratio of the two sizes should be near 1.
"""

import argparse
import json
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def add_arguments(parser) -> None:
    parser.add_argument("--rules-bids", type=int, default=2000, help="bids for the opening rules bench")


def _seed(count: int):
    from django.utils import timezone

    from bidding.models import BidSecurity, Consortium, ConsortiumMember, SecurityIssuer
    from bidding.opening_rules import RuledBid
    from suppliers.models import Supplier
    from tests.factories import TenderFactory, UserFactory, valid_brn

    user = UserFactory()
    # A draft is enough: the rules read the deadline and the security rate, nothing sealed.
    tender = TenderFactory(consortium_allowed=True, bid_security_kind="percent", bid_security_value=Decimal(5))
    issuer, _ = SecurityIssuer.objects.get_or_create(
        code="BENCH", defaults={"name_ko": "벤치보증", "name_en": "Bench Surety", "kind": "surety"}
    )
    offset = Supplier.objects.count() + 200_000
    leads = Supplier.objects.bulk_create(
        Supplier(name_ko=f"벤치{n}", name_en=f"Bench {n}", registration_number=valid_brn(offset + n), status="approved")
        for n in range(count)
    )
    partners = Supplier.objects.bulk_create(
        Supplier(
            name_ko=f"벤치파트너{n}",
            name_en=f"Bench partner {n}",
            registration_number=valid_brn(offset + count + n),
            status="approved",
        )
        for n in range(count // 2)
    )
    consortia = Consortium.objects.bulk_create(
        Consortium(tender=tender, lead=leads[n], name=f"벤치 공동수급체 {n}", performance="joint", status="confirmed",
                   created_by=user)
        for n in range(count // 2)
    )  # fmt: skip
    now = timezone.now()
    ConsortiumMember.objects.bulk_create(
        member
        for n, consortium in enumerate(consortia)
        for member in (
            ConsortiumMember(consortium=consortium, tender=tender, supplier=leads[n], is_lead=True, share=60,
                             status="confirmed", responded_at=now),
            ConsortiumMember(consortium=consortium, tender=tender, supplier=partners[n], share=40,
                             status="confirmed", responded_at=now),
        )
    )  # fmt: skip
    until = timezone.localdate(tender.submission_deadline) + timedelta(days=60)
    BidSecurity.objects.bulk_create(
        BidSecurity(tender=tender, supplier=lead, issuer=issuer, number=f"B-{n}", currency="KRW", valid_until=until,
                    amount=Decimal(4_000_000 if n % 10 == 0 else 5_000_000), verification="verified",
                    attached_by=user)
        for n, lead in enumerate(leads)
    )  # fmt: skip
    bids = [
        RuledBid(n + 1, lead.pk, consortia[n].pk if n < len(consortia) else None, Decimal(95_000_000))
        for n, lead in enumerate(leads)
    ]
    return tender, bids


def run(args) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.results import record, rounds, spread
    from bidding.opening_rules import opening_rejections

    tender, bids = _seed(args.rules_bids)
    tenth = bids[::10]  # every tenth bid: the same mix of consortia and companies alone
    counts = {}

    def measure(name, subset):
        def once() -> float:
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                rejected = opening_rejections(tender=tender, bids=subset)
                elapsed = time.perf_counter() - started
            counts[name] = (len(queries), len(rejected))
            return elapsed

        return once

    times = rounds({"all": measure("all", bids), "tenth": measure("tenth", tenth)}, count=5)
    per_bid_all = spread(times["all"])["median"] / len(bids)
    per_bid_tenth = spread(times["tenth"])["median"] / len(tenth)
    ratio = per_bid_all / per_bid_tenth if per_bid_tenth else None
    result = {
        "bids": len(bids),
        "all": spread(times["all"]),
        "tenth": spread(times["tenth"]),
        "queries": {name: q for name, (q, _r) in counts.items()},
        "rejected": {name: r for name, (_q, r) in counts.items()},
        "per_bid_ratio": ratio,
    }
    record(
        f"opening rules (consortium, bid security), {len(bids)} bids",
        value=spread(times["all"])["median"],
        unit="s median",
        reference=spread(times["tenth"])["median"],
        reference_label=f"the same rules, {len(tenth)} bids",
        ratio=ratio,
        target="per-bid cost ≤ 1.5× at 10× the bids; same query count",
        met=counts["all"][0] == counts["tenth"][0] and ratio is not None and ratio <= 1.5,
        spread={"all": spread(times["all"]), "tenth": spread(times["tenth"])},
        notes=f"queries {counts['all'][0]} vs {counts['tenth'][0]}; per-bid ratio {ratio:.2f}" if ratio else "",
    )
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    args = parser.parse_args()
    from bench.run import _setup_django

    _setup_django()
    from bench.results import write

    print(json.dumps(run(args), indent=2, default=str))
    write()

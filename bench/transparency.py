"""Inclusion and consistency proofs: from every leaf (before) against stored subtree hashes (after).

    .venv/bin/python bench/run.py --only transparency [--proof-leaves 10000 100000] [--proof-db-entries 5000]

In memory, for each size: one inclusion and one consistency proof computed from the whole leaf list
(what the log served before) and from the stored perfect-subtree hashes (procurement.transparency
`*_from`), with the number of hashes each reads. In the database (the scratch one bench/run.py
made): `--proof-db-entries` audited entries integrated, then the served inclusion proof the old way
(read every leaf, then compute) and the new way (`procurement.audit.transparency_inclusion`).
"""

import hashlib
import time
from collections.abc import Callable

from bench.results import record, rounds, spread


def add_arguments(parser) -> None:
    parser.add_argument("--proof-leaves", type=int, nargs="+", default=[10_000, 100_000], help="tree sizes")
    parser.add_argument("--proof-db-entries", type=int, default=5000, help="entries in the database variant")


def run(args) -> dict:
    results = {"in_memory": [bench_in_memory(size) for size in args.proof_leaves]}
    if args.proof_db_entries:
        results["database"] = bench_database(args.proof_db_entries)
    return results


def _seconds(function) -> Callable[[], float]:
    def timed() -> float:
        start = time.perf_counter()
        function()
        return time.perf_counter() - start

    return timed


def _row(name: str, times: dict[str, list[float]], *, notes: str) -> dict:
    """One table row: the stored-subtree proof against the all-leaves proof, in milliseconds."""
    after, before = spread([t * 1000 for t in times["nodes"]]), spread([t * 1000 for t in times["leaves"]])
    ratio = before["median"] / after["median"] if after["median"] else None
    record(
        name,
        value=after["median"],
        unit="ms",
        reference=before["median"],
        reference_label="from every leaf",
        ratio=ratio,
        target="logarithmic: faster as the log grows",
        met=ratio is not None and ratio > 1,
        spread={"stored subtrees": after, "every leaf": before},
        notes=notes,
    )
    return {"after_ms": after["median"], "before_ms": before["median"], "speedup": round(ratio or 0, 1)}


def bench_in_memory(size: int) -> dict:
    from procurement import transparency as t

    leaves = [t.leaf_hash(hashlib.sha256(b"%d" % i).digest()) for i in range(size)]
    start = time.perf_counter()
    nodes = {(0, i): leaf for i, leaf in enumerate(leaves)}
    for level, index, value in t.subtree_hashes(0, [], leaves):
        nodes[(level, index)] = value
    build = time.perf_counter() - start

    def lookup(level, index):
        return nodes[(level, index)]

    index, first = size // 3, size // 2 + 1
    assert t.inclusion_proof_from(index, size, lookup) == t.inclusion_proof(index, leaves)
    assert t.consistency_proof_from(first, size, lookup) == t.consistency_proof(first, leaves)
    inclusion = rounds(
        {
            "leaves": _seconds(lambda: t.inclusion_proof(index, leaves)),
            "nodes": _seconds(lambda: t.inclusion_proof_from(index, size, lookup)),
        },
        count=5,
    )
    consistency = rounds(
        {
            "leaves": _seconds(lambda: t.consistency_proof(first, leaves)),
            "nodes": _seconds(lambda: t.consistency_proof_from(first, size, lookup)),
        },
        count=5,
    )
    read = len(t.inclusion_proof_nodes(index, size))
    return {
        "leaves": size,
        "store_all_subtrees_s": round(build, 3),
        "inclusion": _row(
            f"inclusion proof, {size:,} leaves (in memory)",
            inclusion,
            notes=f"reads {read} stored hashes instead of {size:,}",
        ),
        "consistency": _row(
            f"consistency proof, {size:,} leaves (in memory)",
            consistency,
            notes=f"reads {len(t.consistency_proof_nodes(first, size))} stored hashes instead of {size:,}",
        ),
    }


def bench_database(entries: int) -> dict:
    """Needs Django set up on a scratch database (bench/run.py does it)."""
    from django.db import transaction

    from procurement import transparency as t
    from procurement.audit import audit_record, transparency_head_sign, transparency_inclusion, transparency_integrate
    from procurement.models import AuditEntry, LogLeaf

    for start in range(0, entries, 500):
        with transaction.atomic():
            for n in range(start, min(entries, start + 500)):
                audit_record(actor=None, action="bench.proof", object_type="bench", object_id=n)
    while transparency_integrate():
        pass
    head = transparency_head_sign()
    seq = AuditEntry.objects.order_by("seq").values_list("seq", flat=True)[entries // 3]
    leaf = LogLeaf.objects.get(entry_id=seq)

    def before():
        rows = LogLeaf.objects.order_by("index").values_list("leaf_hash", flat=True)[: head.tree_size]
        return t.inclusion_proof(leaf.index, [bytes.fromhex(h) for h in rows.iterator(chunk_size=5000)])

    def after():
        return transparency_inclusion(seq=seq, tree_size=head.tree_size)

    assert [p.hex() for p in before()] == after()["audit_path"]
    times = rounds({"leaves": _seconds(before), "nodes": _seconds(after)}, count=5)
    return {
        "tree_size": head.tree_size,
        **_row(
            f"served inclusion proof, {head.tree_size:,} entries (database)",
            times,
            notes="transparency_inclusion against reading every leaf then computing",
        ),
    }

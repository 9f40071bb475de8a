"""Inclusion and consistency proofs: from every leaf (before) against stored subtree hashes (after).

    .venv/bin/python bench/run.py --only transparency [--proof-leaves 10000 100000] [--proof-db-entries 5000]

In memory, for each size: one inclusion and one consistency proof computed from the whole leaf list
(what the log served before) and from the stored perfect-subtree hashes (procurement.transparency
`*_from`), with the number of hashes each reads. In the database (the scratch one bench/run.py
made): `--proof-db-entries` audited entries integrated, then the served inclusion proof the old way
(read every leaf, then compute) and the new way (`procurement.audit.transparency_inclusion`).
"""

import hashlib
import statistics
import time


def add_arguments(parser) -> None:
    parser.add_argument("--proof-leaves", type=int, nargs="+", default=[10_000, 100_000], help="tree sizes")
    parser.add_argument("--proof-db-entries", type=int, default=5000, help="entries in the database variant")


def run(args) -> dict:
    results = {"in_memory": [bench_in_memory(size) for size in args.proof_leaves]}
    if args.proof_db_entries:
        results["database"] = bench_database(args.proof_db_entries)
    return results


def _timed(function, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


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
    before_inclusion = _timed(lambda: t.inclusion_proof(index, leaves), repeat=3)
    after_inclusion = _timed(lambda: t.inclusion_proof_from(index, size, lookup))
    before_consistency = _timed(lambda: t.consistency_proof(first, leaves), repeat=3)
    after_consistency = _timed(lambda: t.consistency_proof_from(first, size, lookup))
    return {
        "leaves": size,
        "store_all_subtrees_s": round(build, 3),
        "inclusion_before_ms": round(before_inclusion * 1000, 3),
        "inclusion_after_ms": round(after_inclusion * 1000, 3),
        "inclusion_speedup": round(before_inclusion / after_inclusion, 1),
        "inclusion_hashes_read_before": size,
        "inclusion_hashes_read_after": len(t.inclusion_proof_nodes(index, size)),
        "consistency_before_ms": round(before_consistency * 1000, 3),
        "consistency_after_ms": round(after_consistency * 1000, 3),
        "consistency_speedup": round(before_consistency / after_consistency, 1),
        "consistency_hashes_read_after": len(t.consistency_proof_nodes(first, size)),
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
    before_s, after_s = _timed(before), _timed(after)
    return {
        "tree_size": head.tree_size,
        "served_inclusion_before_ms": round(before_s * 1000, 2),
        "served_inclusion_after_ms": round(after_s * 1000, 2),
        "speedup": round(before_s / after_s, 1),
    }

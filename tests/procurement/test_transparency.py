"""The transparency log: RFC 6962 tree, integration order, signed heads, and tampering as the owner."""

import hashlib
import json
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from procurement import transparency
from procurement.audit import (
    audit_record,
    signed_head_of,
    transparency_head_sign,
    transparency_integrate,
    transparency_log_verify,
    transparency_public_key,
)
from procurement.models import AuditEntry, LogLeaf
from tests.support.transparency import integrate_all, signed_head_of_everything

# RFC 6962's test leaves (from certificate-transparency's merkle tree tests) and published roots.
RFC_LEAVES = [bytes.fromhex(h) for h in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                         "606162636465666768696a6b6c6d6e6f"]]  # fmt: skip
RFC_ROOTS = {
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}


def _hashes(n):
    return [transparency.leaf_hash(b"%d" % i) for i in range(n)]


def test_it_computes_the_roots_published_with_rfc_6962():
    leaves = [transparency.leaf_hash(d) for d in RFC_LEAVES]
    assert transparency.tree_root([]).hex() == hashlib.sha256(b"").hexdigest()
    for size, root in RFC_ROOTS.items():
        assert transparency.tree_root(leaves[:size]).hex() == root


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 8, 9, 16, 17, 31])
def test_every_inclusion_proof_verifies_and_a_wrong_leaf_does_not(size):
    leaves = _hashes(size)
    root = transparency.tree_root(leaves)
    for index in range(size):
        proof = transparency.inclusion_proof(index, leaves)
        assert transparency.verify_inclusion(leaf=leaves[index], index=index, tree_size=size, proof=proof, root=root)
        forged = transparency.leaf_hash(b"forged")
        assert not transparency.verify_inclusion(leaf=forged, index=index, tree_size=size, proof=proof, root=root)


@pytest.mark.parametrize("second", [2, 3, 7, 8, 9, 13, 32])
def test_consistency_proofs_verify_for_every_earlier_size_and_catch_a_rewritten_history(second):
    leaves = _hashes(second)
    for first in range(1, second):
        proof = transparency.consistency_proof(first, leaves)
        old_root = transparency.tree_root(leaves[:first])
        new_root = transparency.tree_root(leaves)
        assert transparency.verify_consistency(
            first=first, second=second, first_root=old_root, second_root=new_root, proof=proof
        )
        rewritten = [transparency.leaf_hash(b"x"), *leaves[1:]]
        assert not transparency.verify_consistency(
            first=first, second=second, first_root=old_root, second_root=transparency.tree_root(rewritten),
            proof=transparency.consistency_proof(first, rewritten),
        )  # fmt: skip


def test_a_head_signed_with_another_key_is_refused():
    head = transparency.head_sign(seed=b"\x01" * 32, tree_size=3, timestamp_ms=1, root_hash=b"\x02" * 32)
    assert transparency.head_signature_ok(public_key=transparency.public_key_of(b"\x01" * 32), head=head)
    assert not transparency.head_signature_ok(public_key=transparency.public_key_of(b"\x03" * 32), head=head)


pytestmark_db = pytest.mark.django_db(transaction=True)


@pytestmark_db
def test_concurrent_writers_all_land_in_the_tree_and_the_log_verifies():
    errors = []

    def write(n):
        try:
            for i in range(10):
                audit_record(actor=None, action="test.concurrent", object_type="thread", object_id=f"{n}-{i}")
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    head = signed_head_of_everything()
    assert head.tree_size == AuditEntry.objects.count() >= 80
    assert transparency_log_verify().ok


@pytestmark_db
def test_an_entry_that_commits_late_is_never_overtaken_by_a_later_one():
    written, release = threading.Event(), threading.Event()
    slow = {}

    def slow_writer():
        try:
            with transaction.atomic():
                slow["entry"] = audit_record(actor=None, action="test.slow", object_type="t", object_id="slow")
                written.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert written.wait(10)
    fast = audit_record(actor=None, action="test.fast", object_type="t", object_id="fast")
    assert fast.seq > slow["entry"].seq
    transparency_integrate()
    # The slow writer is still running: neither entry may take a leaf index yet.
    assert not LogLeaf.objects.filter(entry_id__in=[fast.seq, slow["entry"].seq]).exists()
    release.set()
    thread.join()
    integrate_all()
    slow_leaf = LogLeaf.objects.get(entry_id=slow["entry"].seq)
    fast_leaf = LogLeaf.objects.get(entry_id=fast.seq)
    assert slow_leaf.index < fast_leaf.index
    assert list(LogLeaf.objects.values_list("index", flat=True)) == list(range(LogLeaf.objects.count()))


@pytestmark_db
def test_a_signed_head_proves_every_entry_and_stays_consistent_with_the_next():
    for n in range(5):
        audit_record(actor=None, action="test.step", object_type="t", object_id=n)
    first = signed_head_of(signed_head_of_everything())
    for n in range(6):
        audit_record(actor=None, action="test.more", object_type="t", object_id=n)
    second_row = signed_head_of_everything()
    second = signed_head_of(second_row)
    key = transparency_public_key()
    assert transparency.head_signature_ok(public_key=key, head=second)
    leaves = [bytes.fromhex(h) for h in LogLeaf.objects.order_by("index").values_list("leaf_hash", flat=True)]
    for index, leaf in enumerate(leaves):
        proof = transparency.inclusion_proof(index, leaves)
        assert transparency.verify_inclusion(
            leaf=leaf, index=index, tree_size=second.tree_size, proof=proof, root=second.root_hash
        )
    assert transparency.verify_consistency(
        first=first.tree_size, second=second.tree_size, first_root=first.root_hash, second_root=second.root_hash,
        proof=transparency.consistency_proof(first.tree_size, leaves),
    )  # fmt: skip
    assert transparency_head_sign().pk == second_row.pk  # nothing new: no new head


# --- the owner role tampers; the verifier, given a head saved earlier, names the first bad entry ----


def _as_owner(*statements):
    """What the tables' owner can do (the application role cannot, see test_database_roles)."""
    tables = ["procurement_auditentry", "procurement_logleaf", "procurement_treehead"]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for sql, params in statements:
            cursor.execute(sql, params)
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


@pytest.fixture
def saved_log(tmp_path):
    """Ten entries, a signed head, and the file a monitor saved with `--save`."""
    entries = [
        audit_record(actor=None, action="test.step", object_type="t", object_id=n, data={"n": n}) for n in range(10)
    ]
    signed_head_of_everything()
    path = tmp_path / "head.json"
    call_command("verify_transparency_log", save=str(path))
    return entries, path


@pytestmark_db
def test_the_verifier_names_an_entry_rewritten_without_its_hash(saved_log):
    entries, path = saved_log
    target = LogLeaf.objects.get(entry_id=entries[4].seq)
    _as_owner(("UPDATE procurement_auditentry SET data = %s WHERE seq = %s", ['{"n": 99}', entries[4].seq]))
    with pytest.raises(CommandError, match=rf"leaf #{target.index} \(entry {entries[4].seq}\).*was altered"):
        call_command("verify_transparency_log", against=str(path))


@pytestmark_db
def test_the_verifier_names_an_entry_rewritten_and_rehashed_by_the_owner(saved_log):
    entries, path = saved_log
    entry = AuditEntry.objects.get(seq=entries[3].seq)
    entry.data = {"n": 42}
    forged = transparency.leaf_hash(
        transparency.entry_bytes(
            seq=entry.seq, at=entry.at, actor_id=None, actor_label=entry.actor_label, action=entry.action,
            object_type=entry.object_type, object_id=entry.object_id, data=entry.data,
        )
    ).hex()  # fmt: skip
    rewrite = "UPDATE procurement_auditentry SET data = %s, hash = %s WHERE seq = %s"
    _as_owner(
        (rewrite, [json.dumps(entry.data), forged, entry.seq]),
        ("UPDATE procurement_logleaf SET leaf_hash = %s WHERE entry_id = %s", [forged, entry.seq]),
    )
    index = LogLeaf.objects.get(entry_id=entry.seq).index
    with pytest.raises(CommandError, match=rf"leaf #{index} \(entry {entry.seq}\).*rewritten"):
        call_command("verify_transparency_log", against=str(path))
    # Even without the saved leaves, the platform's own signed head no longer matches.
    assert not transparency_log_verify().ok


@pytestmark_db
def test_the_verifier_notices_the_newest_entries_deleted(saved_log):
    entries, path = saved_log
    doomed = [e.seq for e in entries[-3:]]
    size = LogLeaf.objects.count()
    _as_owner(
        ("DELETE FROM procurement_treehead", []),
        ("DELETE FROM procurement_logleaf WHERE entry_id = ANY(%s)", [doomed]),
        ("DELETE FROM procurement_auditentry WHERE seq = ANY(%s)", [doomed]),
    )
    with pytest.raises(CommandError, match=rf"BROKEN at leaf #{size - 3}.*truncated"):
        call_command("verify_transparency_log", against=str(path))


@pytestmark_db
def test_the_verifier_notices_a_truncated_log(saved_log):
    _, path = saved_log
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE procurement_logleaf, procurement_treehead, procurement_auditentry")
    with pytest.raises(CommandError, match=r"BROKEN at leaf #0.*truncated"):
        call_command("verify_transparency_log", against=str(path))


@pytestmark_db
def test_the_verify_command_passes_an_intact_log_against_a_saved_head(saved_log, capsys):
    _, path = saved_log
    audit_record(actor=None, action="test.after", object_type="t", object_id="x")
    signed_head_of_everything()
    call_command("verify_transparency_log", against=str(path))
    assert "Transparency log intact" in capsys.readouterr().out


# --- proofs from stored subtree hashes: the same bytes as from every leaf, in O(log² n) nodes --------


def _stored(leaves, chunks):
    """Subtree hashes as the integrator stores them, appending `leaves` in chunks of the given sizes."""
    nodes = {(0, i): leaf for i, leaf in enumerate(leaves)}
    size = 0
    for chunk in chunks:
        frontier = [nodes[position] for position in transparency.frontier_nodes(size)]
        for level, index, value in transparency.subtree_hashes(size, frontier, leaves[size : size + chunk]):
            nodes[(level, index)] = value
        size += chunk
    return nodes


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 31, 32, 33, 100])
def test_proofs_from_stored_subtrees_equal_the_proofs_from_every_leaf(size):
    leaves = _hashes(size)
    chunks = [min(3, size - start) for start in range(0, size, 3)]  # integrated a few at a time
    nodes = _stored(leaves, chunks)
    lookup = lambda level, index: nodes[(level, index)]  # noqa: E731
    assert transparency.tree_root_from(size, lookup) == transparency.tree_root(leaves)
    for index in range(size):
        assert transparency.inclusion_proof_from(index, size, lookup) == transparency.inclusion_proof(index, leaves)
    for first in range(1, size + 1):
        assert transparency.consistency_proof_from(first, size, lookup) == transparency.consistency_proof(first, leaves)


def test_the_rfc_roots_come_out_of_stored_subtrees_too():
    leaves = [transparency.leaf_hash(d) for d in RFC_LEAVES]
    nodes = _stored(leaves, [1, 2, 5])
    for size, root in RFC_ROOTS.items():
        assert transparency.tree_root_from(size, lambda level, index: nodes[(level, index)]).hex() == root


def test_a_proof_reads_a_logarithmic_number_of_nodes():
    for size in (2**10, 2**20 + 12345, 2**40 + 987654321):
        log = size.bit_length()
        assert len(transparency.inclusion_proof_nodes(size // 3, size)) <= 2 * log
        assert len(transparency.consistency_proof_nodes(size // 3, size)) <= 2 * log
        assert len(transparency.tree_root_nodes(size)) <= log


@pytestmark_db
def test_served_proofs_come_from_stored_nodes_with_the_same_number_of_queries_at_any_size(
    django_assert_max_num_queries,
):
    from procurement.audit import transparency_consistency, transparency_inclusion

    entries = []
    for batch in range(4):  # integrated in several runs: the frontier carries over
        entries += [audit_record(actor=None, action="test.step", object_type="t", object_id=n) for n in range(25)]
        integrate_all()
        if batch == 1:
            small = signed_head_of(signed_head_of_everything())
    big = signed_head_of(signed_head_of_everything())
    leaves = [bytes.fromhex(h) for h in LogLeaf.objects.order_by("index").values_list("leaf_hash", flat=True)]
    assert big.root_hash == transparency.tree_root(leaves)
    for entry in (entries[0], entries[37], entries[-1]):
        with django_assert_max_num_queries(6):
            proof = transparency_inclusion(seq=entry.seq)
        index = proof["leaf_index"]
        assert [bytes.fromhex(p) for p in proof["audit_path"]] == transparency.inclusion_proof(index, leaves)
    with django_assert_max_num_queries(3):
        path = transparency_consistency(first=small.tree_size, second=big.tree_size)
    assert [bytes.fromhex(p) for p in path] == transparency.consistency_proof(small.tree_size, leaves)

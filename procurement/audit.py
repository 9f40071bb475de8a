"""The audit log: one call records who did what to which object, in the caller's transaction.

Writers never wait for one another: `seq` comes from a sequence, the time from `clock_timestamp()`
and the leaf hash is computed before the insert. The Merkle tree is built afterwards by
`transparency_integrate` (a Celery task calls it), which adds committed entries in a deterministic
order and never skips one that commits late with a smaller `seq` (see its docstring).
"""

import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Q

from . import transparency
from .models import AuditEntry, LogLeaf, LogNode, TreeHead

logger = logging.getLogger(__name__)

# Names the advisory lock that serialises the integrators (never the writers).
_INTEGRATOR_LOCK_KEY = 0x5452454531  # "TREE1"


class SigningKeyMissing(RuntimeError):
    pass


def _canonical_data(value) -> dict:
    """Normalise through JSON so that what is hashed is exactly what PostgreSQL gives back."""
    return json.loads(json.dumps(value or {}, cls=DjangoJSONEncoder, sort_keys=True))


def _object_ref(obj) -> tuple[str, str]:
    return obj._meta.label_lower, str(obj.pk)


def audit_entry_bytes(entry: AuditEntry) -> bytes:
    return transparency.entry_bytes(
        seq=entry.seq,
        at=entry.at,
        actor_id=entry.actor_id,
        actor_label=entry.actor_label,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        data=entry.data,
    )


def audit_changes(before: dict, after: dict) -> dict:
    """{field: {"from": old, "to": new}} for every field given (an entry records what the service
    touched, including a value it set to what it already was, e.g. a re-sent status)."""
    return {field: {"from": before.get(field), "to": after.get(field)} for field in sorted(after)}


def audit_record(
    *,
    actor,
    action: str,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    data=None,
    before: dict | None = None,
    related: dict | None = None,
) -> AuditEntry:
    """Append an entry. Call it inside the transaction that makes the change; it takes no lock.

    `before`: the fields the change touched, with their values before it; the entry records them
    with the values `obj` holds now as `data.changes` ({field: {from, to}}; None before a creation).
    `related`: other records changed with this one, `{"bidding.bid": {id: {field: (from, to)}}}`,
    recorded as `data.related`. The database accepts a change to a guarded record (a tender, bid,
    award, contract, signature) only when an entry of the same transaction names it, as its object
    or in `related` (procurement migrations 0004, 0005; docs/architecture.md §3.4).
    """
    if obj is not None:
        object_type, object_id = _object_ref(obj)
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    data = dict(data or {})
    if before is not None:
        data["changes"] = audit_changes(before, {field: getattr(obj, field) for field in before})
    if related:
        data["related"] = {
            label: {
                str(pk): {field: {"from": old, "to": new} for field, (old, new) in sorted(fields.items())}
                for pk, fields in rows.items()
            }
            for label, rows in related.items()
        }
    # savepoint=False: no extra round trips; a failed insert fails the caller's whole change.
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            # pg_current_xact_id() is the top-level transaction's id even inside a savepoint.
            cursor.execute(
                "SELECT nextval('procurement_auditentry_seq'), clock_timestamp(), pg_current_xact_id()::text::bigint"
            )
            seq, at, xid = cursor.fetchone()
        entry = AuditEntry(
            seq=seq,
            at=at,
            actor=actor,
            actor_label=actor.email if actor else "system",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            data=_canonical_data(data),
            xid=xid,
        )
        entry.hash = transparency.leaf_hash(audit_entry_bytes(entry)).hex()
        entry.save(force_insert=True)
    return entry


def audit_coverage_prune() -> int:
    """Drop the guard's coverage rows of finished transactions (procurement migration 0009); any
    role may call it, since it can only remove what no running transaction can still read."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT procurement_audit_coverage_prune()")
        return cursor.fetchone()[0]


def transparency_integrate() -> int:
    """Give leaf indexes to every committed entry that can no longer be overtaken; return how many.

    An entry's writer may commit long after a later `seq` has committed. So only entries whose
    writer's transaction id is below the horizon are taken: the oldest transaction that was still
    running when this statement's snapshot was taken (its `xip` list), leaving out those that
    pg_stat_activity shows in another database of the cluster (they cannot write here; one that
    has already gone just makes the horizon lower, never wrong). Every writer below the horizon has
    finished and is visible to the snapshot; any entry still to come carries a larger id. All
    entries up to the last integrated id are in the tree already, so each run looks only between
    that id and the horizon, ordered by (xid, seq). Integrators serialise on an advisory lock that
    writers never take.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_INTEGRATOR_LOCK_KEY])
            cursor.execute(
                """
                WITH done AS (
                    SELECT COALESCE(max(index) + 1, 0) AS next_index, COALESCE(max(xid), -1) AS last_xid
                    FROM procurement_logleaf
                ), snap AS (SELECT pg_current_snapshot() AS s
                ), elsewhere AS (
                    SELECT backend_xid::text::bigint AS xid32 FROM pg_stat_activity
                    WHERE backend_xid IS NOT NULL AND datname IS DISTINCT FROM current_database()
                ), horizon AS (
                    SELECT LEAST(
                        pg_snapshot_xmax(snap.s)::text::bigint,
                        (SELECT min(x::text::bigint) FROM pg_snapshot_xip(snap.s) AS x
                         WHERE x::text::bigint % 4294967296 NOT IN (SELECT xid32 FROM elsewhere))
                    ) AS xmin
                    FROM snap
                )
                SELECT done.next_index, e.seq, e.hash, e.xid
                FROM procurement_auditentry e, done, horizon
                WHERE e.xid > done.last_xid AND e.xid < horizon.xmin
                ORDER BY e.xid, e.seq
                """
            )
            rows = cursor.fetchall()
        if not rows:
            return 0
        next_index = rows[0][0]
        LogLeaf.objects.bulk_create(
            LogLeaf(index=next_index + n, entry_id=seq, leaf_hash=digest, xid=xid)
            for n, (_next, seq, digest, xid) in enumerate(rows)
        )
        # The subtrees these leaves complete, from the tree's right edge (at most log2 n nodes).
        edge = transparency.frontier_nodes(next_index)
        known = _nodes(set(edge))
        LogNode.objects.bulk_create(
            LogNode(level=level, index=index, hash=value.hex())
            for level, index, value in transparency.subtree_hashes(
                next_index, [known[position] for position in edge], [bytes.fromhex(row[2]) for row in rows]
            )
        )
    return len(rows)


def _nodes(positions: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """Stored subtree hashes by (level, index), level 0 being the leaves; two queries at most."""
    found: dict[tuple[int, int], bytes] = {}
    leaves = [index for level, index in positions if level == 0]
    if leaves:
        for index, digest in LogLeaf.objects.filter(index__in=leaves).values_list("index", "leaf_hash"):
            found[(0, index)] = bytes.fromhex(digest)
    inner = [position for position in positions if position[0] > 0]
    if inner:
        wanted = Q()
        for level, index in inner:
            wanted |= Q(level=level, index=index)
        for level, index, digest in LogNode.objects.filter(wanted).values_list("level", "index", "hash"):
            found[(level, index)] = bytes.fromhex(digest)
    missing = positions - found.keys()
    if missing:
        raise LookupError(f"the log has no stored node at {sorted(missing)[:3]}")
    return found


def _from_nodes(positions: set[tuple[int, int]]):
    found = _nodes(positions)
    return lambda level, index: found[(level, index)]


def transparency_tree_size() -> int:
    last = LogLeaf.objects.order_by("-index").values_list("index", flat=True).first()
    return 0 if last is None else last + 1


def signing_seed() -> bytes:
    if not settings.TRANSPARENCY_SIGNING_KEY:
        raise SigningKeyMissing("TRANSPARENCY_SIGNING_KEY is not set: tree heads cannot be signed.")
    return transparency.seed_from_setting(settings.TRANSPARENCY_SIGNING_KEY)


def transparency_public_key() -> bytes | None:
    return transparency.public_key_of(signing_seed()) if settings.TRANSPARENCY_SIGNING_KEY else None


def signed_head_of(head: TreeHead) -> transparency.SignedHead:
    return transparency.SignedHead.from_json(
        {
            "tree_size": head.tree_size,
            "timestamp_ms": head.timestamp_ms,
            "root_hash": head.root_hash,
            "signature": head.signature,
        }
    )


def transparency_head_sign() -> TreeHead:
    """Integrate what can be, then sign a head for the current size unless one exists already."""
    seed = signing_seed()
    transparency_integrate()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_INTEGRATOR_LOCK_KEY])
            cursor.execute("SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint")
            timestamp_ms = cursor.fetchone()[0]
        public_key = transparency.public_key_of(seed).hex()
        size = transparency_tree_size()
        latest = TreeHead.objects.filter(public_key=public_key).order_by("-tree_size", "-timestamp_ms").first()
        if latest is not None and latest.tree_size == size:
            return latest
        root = transparency.tree_root_from(size, _from_nodes(transparency.tree_root_nodes(size)))
        signed = transparency.head_sign(seed=seed, tree_size=size, timestamp_ms=timestamp_ms, root_hash=root)
        return TreeHead.objects.create(
            tree_size=size,
            timestamp_ms=timestamp_ms,
            root_hash=root.hex(),
            signature=signed.as_json()["signature"],
            public_key=public_key,
        )


def transparency_request_head(*, after: AuditEntry) -> None:
    """Once the caller's transaction commits, have the worker sign a head that includes `after`
    (openings and awards publish one promptly instead of waiting for the beat)."""
    transaction.on_commit(lambda: _enqueue_head(after.seq))


def _enqueue_head(seq: int) -> None:
    from .tasks import transparency_publish_head

    try:
        transparency_publish_head.apply_async(kwargs={"through_seq": seq}, retry=False)
    except Exception as exc:  # noqa: BLE001 - a broker outage only delays the head until the beat's next run
        logger.warning("Tree head not queued (%s); the beat will sign one.", type(exc).__name__)


def transparency_leaves(*, with_entries: bool) -> list[transparency.Leaf]:
    """The log as stored, for the verifier: leaves in index order, with their entries' bytes."""
    leaves = []
    rows = (
        LogLeaf.objects.order_by("index").select_related("entry") if with_entries else LogLeaf.objects.order_by("index")
    )
    for leaf in rows.iterator(chunk_size=2000):
        entry = leaf.entry if with_entries else None
        leaves.append(
            transparency.Leaf(
                index=leaf.index,
                seq=leaf.entry_id,
                stored_hash=bytes.fromhex(leaf.leaf_hash),
                entry=audit_entry_bytes(entry) if entry is not None else None,
            )
        )
    return leaves


@dataclass(frozen=True)
class LogVerification:
    check: transparency.LogCheck
    pending: int  # committed entries not yet in the tree

    @property
    def ok(self) -> bool:
        return self.check.ok


def transparency_log_verify(
    *, saved: transparency.SignedHead | None = None, saved_leaves: list[bytes] | None = None
) -> LogVerification:
    """The whole log from the database: every leaf against its entry, every signed head, a saved head."""
    public_key = transparency_public_key()
    heads = [signed_head_of(h) for h in TreeHead.objects.filter(public_key=public_key.hex())] if public_key else []
    check = transparency.log_check(
        leaves=transparency_leaves(with_entries=True),
        public_key=public_key or b"\x00" * 32,
        heads=heads,
        saved=saved,
        saved_leaves=saved_leaves,
    )
    pending = AuditEntry.objects.filter(leaf__isnull=True).count()
    return LogVerification(check, pending)


# --- reads for the public pages and the API ---------------------------------------------------------


def transparency_latest_head() -> TreeHead | None:
    public_key = transparency_public_key()
    if public_key is None:
        return None
    return TreeHead.objects.filter(public_key=public_key.hex()).order_by("-tree_size", "-timestamp_ms").first()


def transparency_recent_heads(*, limit: int) -> list[TreeHead]:
    public_key = transparency_public_key()
    if public_key is None:
        return []
    return list(TreeHead.objects.filter(public_key=public_key.hex()).order_by("-tree_size", "-timestamp_ms")[:limit])


def transparency_head_json(head: TreeHead) -> dict:
    return {**signed_head_of(head).as_json(), "public_key": head.public_key}


def transparency_head_of_size(tree_size: int) -> TreeHead | None:
    public_key = transparency_public_key()
    if public_key is None:
        return None
    return TreeHead.objects.filter(public_key=public_key.hex(), tree_size=tree_size).order_by("-timestamp_ms").first()


def transparency_inclusion(*, seq: int, tree_size: int | None = None) -> dict | None:
    """The entry's inclusion proof in a signed head (the latest by default); None until it is in one."""
    leaf = LogLeaf.objects.filter(entry_id=seq).select_related("entry").first()
    head = transparency_latest_head() if tree_size is None else transparency_head_of_size(tree_size)
    if leaf is None or head is None or leaf.index >= head.tree_size:
        return None
    path = transparency.inclusion_proof_from(
        leaf.index, head.tree_size, _from_nodes(transparency.inclusion_proof_nodes(leaf.index, head.tree_size))
    )
    return {
        "seq": seq,
        "leaf_index": leaf.index,
        "tree_size": head.tree_size,
        "leaf_hash": leaf.leaf_hash,
        "entry": audit_entry_bytes(leaf.entry).decode(),
        "audit_path": [p.hex() for p in path],
        "head": transparency_head_json(head),
    }


def transparency_consistency(*, first: int, second: int) -> list[str]:
    """The consistency proof between two sizes of the tree (0 < first <= second <= its size)."""
    if second > transparency_tree_size():
        raise ValueError("the tree is not that large yet")
    nodes = _from_nodes(transparency.consistency_proof_nodes(first, second))
    return [p.hex() for p in transparency.consistency_proof_from(first, second, nodes)]

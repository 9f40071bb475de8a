"""The audit log: one call records who did what to which object, in the caller's transaction."""

import hashlib
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from .models import AuditEntry

GENESIS_HASH = "0" * 64
# Any constant works; it names the one advisory lock that orders the chain.
_CHAIN_LOCK_KEY = 0x4155444954  # "AUDIT"


def _canonical(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(*, seq, at, actor_id, actor_label, action, object_type, object_id, data, prev_hash) -> str:
    body = _canonical(
        {
            "seq": seq,
            "at": at.isoformat(),
            "actor": actor_id,
            "actor_label": actor_label,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
            "data": data,
        }
    )
    return hashlib.sha256(f"{prev_hash}|{body}".encode()).hexdigest()


def _object_ref(obj) -> tuple[str, str]:
    return obj._meta.label_lower, str(obj.pk)


def audit_record(*, actor, action: str, obj=None, object_type: str = "", object_id: str = "", data=None) -> AuditEntry:
    """Append an entry to the chain. Call it inside the transaction that makes the change.

    The chain is ordered by a transaction-scoped advisory lock taken here, at the end of the
    caller's work, so concurrent writers only serialise for the insert and their commit.
    """
    if obj is not None:
        object_type, object_id = _object_ref(obj)
    # Normalise through JSON so that what is hashed is exactly what PostgreSQL gives back.
    data = json.loads(_canonical(data or {}))
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    actor_label = actor.email if actor else "system"
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s), clock_timestamp()", [_CHAIN_LOCK_KEY])
            at = cursor.fetchone()[1]
        last = AuditEntry.objects.order_by("-seq").values("seq", "hash").first()
        seq = last["seq"] + 1 if last else 1
        prev_hash = last["hash"] if last else GENESIS_HASH
        fields = {
            "seq": seq,
            "at": at,
            "actor_label": actor_label,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "data": data,
            "prev_hash": prev_hash,
        }
        digest = entry_hash(actor_id=actor.pk if actor else None, **fields)
        return AuditEntry.objects.create(actor=actor, hash=digest, **fields)


@dataclass(frozen=True)
class ChainVerification:
    ok: bool
    entries: int
    first_broken_seq: int | None = None
    problem: str = ""
    last_hash: str = GENESIS_HASH


def audit_verify_chain() -> ChainVerification:
    """Recompute every link; report the first entry that is missing, altered or out of chain."""
    prev_hash = GENESIS_HASH
    expected_seq = 1
    count = 0
    rows = AuditEntry.objects.order_by("seq").values_list(
        "seq", "at", "actor_id", "actor_label", "action", "object_type", "object_id", "data", "prev_hash", "hash"
    )
    for seq, at, actor_id, actor_label, action, object_type, object_id, data, stored_prev, stored_hash in rows.iterator(
        chunk_size=2000
    ):
        if seq != expected_seq:
            return ChainVerification(False, count, expected_seq, f"entry #{expected_seq} is missing", prev_hash)
        if stored_prev != prev_hash:
            return ChainVerification(False, count, seq, f"entry #{seq} does not link to #{seq - 1}", prev_hash)
        recomputed = entry_hash(
            seq=seq,
            at=at,
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            object_type=object_type,
            object_id=object_id,
            data=data,
            prev_hash=prev_hash,
        )
        if recomputed != stored_hash:
            return ChainVerification(False, count, seq, f"entry #{seq} was altered", prev_hash)
        prev_hash = stored_hash
        expected_seq += 1
        count += 1
    return ChainVerification(True, count, last_hash=prev_hash)

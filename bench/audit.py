"""Audited writes per second at 64 concurrent writers: the old global-lock chain against the log.

    .venv/bin/python bench/run.py --only audit [--audit-writers 64] [--audit-writes 20]
    .venv/bin/python bench/audit.py [--writers 64] [--writes 20]      # the same, printed only

Each writer runs `--writes` transactions one after another; each transaction writes one entry and
commits. "before" replays the code this replaced, on a table of its own: a platform-wide
`pg_advisory_xact_lock`, read the last entry's hash, insert the next link, commit (the lock is held
until then). "after" is `procurement.audit.audit_record`: a sequence number, clock_timestamp() and
the leaf hash, no lock. Both run in the same database, alternating, and report writes per second.
"""

import argparse
import hashlib
import json
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_OLD_LOCK_KEY = 0x4155444954  # the constant the old chain used

OLD_TABLE_SQL = """
CREATE TABLE IF NOT EXISTS bench_audit_chain (
    seq bigint PRIMARY KEY, at timestamptz NOT NULL, action varchar(80) NOT NULL, data jsonb NOT NULL,
    prev_hash varchar(64) NOT NULL, hash varchar(64) NOT NULL UNIQUE
)
"""


def _old_audit_record(action: str, data: dict) -> None:
    """The replaced procurement.audit.audit_record, reduced to its locking and hashing."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s), clock_timestamp()", [_OLD_LOCK_KEY])
        at = cursor.fetchone()[1]
        cursor.execute("SELECT seq, hash FROM bench_audit_chain ORDER BY seq DESC LIMIT 1")
        last = cursor.fetchone()
        seq, prev = (last[0] + 1, last[1]) if last else (1, "0" * 64)
        body = json.dumps({"seq": seq, "at": at.isoformat(), "action": action, "data": data}, sort_keys=True)
        digest = hashlib.sha256(f"{prev}|{body}".encode()).hexdigest()
        cursor.execute(
            "INSERT INTO bench_audit_chain (seq, at, action, data, prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s)",
            [seq, at, action, json.dumps(data), prev, digest],
        )


def _new_audit_record(action: str, data: dict) -> None:
    from procurement.audit import audit_record

    audit_record(actor=None, action=action, object_type="bench", object_id="1", data=data)


def _round(record, writers: int, writes: int) -> float:
    from django.db import connection, transaction

    gate = threading.Barrier(writers)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            gate.wait()
            for i in range(writes):
                with transaction.atomic():
                    record("bench.write", {"writer": n, "i": i})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        raise RuntimeError(f"{len(errors)} writers failed, first: {errors[0]!r}")
    return writers * writes / elapsed


def add_arguments(parser) -> None:
    parser.add_argument("--audit-writers", type=int, default=64, help="concurrent audited writers")
    parser.add_argument("--audit-writes", type=int, default=20, help="transactions per audited writer")


def run(args) -> dict:
    return bench_audit(writers=args.audit_writers, writes=args.audit_writes)


def bench_audit(*, writers: int = 64, writes: int = 20, rounds: int = 3) -> dict:
    """Needs Django set up on a scratch database (bench/run.py does it)."""
    from django.db import connection

    from procurement.audit import transparency_integrate, transparency_log_verify

    with connection.cursor() as cursor:
        cursor.execute(OLD_TABLE_SQL)
    connection.close()
    before, after = [], []
    for _ in range(rounds):
        before.append(_round(_old_audit_record, writers, writes))
        after.append(_round(_new_audit_record, writers, writes))
    began = time.perf_counter()
    integrated = transparency_integrate()
    integrate_s = time.perf_counter() - began
    return {
        "writers": writers,
        "writes_per_writer": writes,
        "before_global_lock_writes_per_s": round(statistics.median(before), 1),
        "after_no_lock_writes_per_s": round(statistics.median(after), 1),
        "speedup": round(statistics.median(after) / statistics.median(before), 2),
        "rounds_before": [round(v, 1) for v in before],
        "rounds_after": [round(v, 1) for v in after],
        "integrate_entries": integrated,
        "integrate_s": round(integrate_s, 3),
        "log_verifies": transparency_log_verify().ok,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writers", type=int, default=64)
    parser.add_argument("--writes", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from bench.run import _setup_django

    _setup_django()
    print(json.dumps(bench_audit(writers=args.writers, writes=args.writes, rounds=args.rounds), indent=2))


if __name__ == "__main__":
    main()

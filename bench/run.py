"""Benchmarks for the rush path and the heavy paths, measured side by side in one run.

    make bench            # or: .venv/bin/python bench/run.py [--bids 50] [--open 200]

Runs against a throwaway database (`<DATABASE_URL name>_bench`, recreated each run) on the real
PostgreSQL, and writes bench/results/latest.json and latest.md (every figure), and table.json and
table.md: the issue's table, one row per `bench.results.record()` call (bench/results.py says how a
suite adds its rows). These machines are shared and
noisy: read the ratios between scenarios of one run, not absolute times across runs.

Scenarios
- submit_one_tender: N suppliers submit concurrently to ONE tender (the deadline rush);
- submit_many_tenders: N suppliers submit concurrently, each to its own tender (no shared row).
  The ratio of the two shows whether bids on one tender queue behind each other (docs/architecture.md §7).
- seal_only: the encryption part of a submission alone, to show what the database part costs.
- open_tender: opening a tender with M bids (decrypt, verify commitments, rank, store).
- verify_transparency_log: recomputing every leaf, the tree and the signed heads.
- audit (bench/audit.py): audited writes per second at 64 concurrent writers, the old global-lock
  hash chain against the lock-free transparency log, side by side.
- transparency (bench/transparency.py): inclusion and consistency proofs from every leaf against
  the stored subtree hashes, in memory and as the log serves them from the database.
- sealed_opening: bench/sealing.py — opening N bids sealed with the reference client, with quorum
  recombination, against the bare decryption of the same ciphertexts.
"""

import argparse
import json
import os
import statistics
import sys
import threading
import time
from importlib import import_module
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# More suites: bench/<name>.py with add_arguments(parser) and run(args) -> dict, one line each here.
# They run after the scenarios above, on the same throwaway database; `--only <name>` runs one alone.
SUITES = [
    "integrity",
    "audit",
    "transparency",
    "scaleout",
    "search",
    "award_report",
    "opening_rules",
    "rush",
    "catalogue",
]


def _bench_database_url() -> str:
    url = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/procurement"))
    return urlunparse(url._replace(path=f"{url.path.rstrip('/')}_bench"))


def _recreate_database(url: str) -> None:
    import psycopg2

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = psycopg2.connect(
        dbname="postgres",
        user=parsed.username or "postgres",
        password=parsed.password,
        host=parsed.hostname,
        port=parsed.port or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def _setup_django() -> None:
    url = _bench_database_url()
    _recreate_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement.settings")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # A private broker (tasks are queued, never run): the bench measures the request path, not mail.
    from django.conf import settings

    settings.CELERY_BROKER_URL = _private_redis() or "redis://127.0.0.1:1/0"


def _private_redis() -> str | None:
    """A redis-server of this run's own as the broker: tasks queued after commit (notifications, tree
    heads) cost what they cost in production, and reach no worker; removed when the run ends."""
    import atexit
    import shutil
    import subprocess

    from tests.support.pgcluster import free_port

    binary = shutil.which("redis-server")
    if binary is None:
        return None
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    atexit.register(proc.terminate)
    time.sleep(0.3)
    return f"redis://127.0.0.1:{port}/0"


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _concurrently(jobs) -> tuple[float, list[float]]:
    """Run each job in its own thread (own DB connection); return wall time and per-job latencies."""
    from django.db import connection

    latencies: list[float] = []
    errors: list[BaseException] = []
    start_gate = threading.Barrier(len(jobs))

    def run(job):
        try:
            start_gate.wait()
            began = time.perf_counter()
            job()
            latencies.append(time.perf_counter() - began)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    if errors:
        raise RuntimeError(f"{len(errors)} jobs failed, first: {errors[0]!r}")
    return wall, latencies


def _summary(wall: float, latencies: list[float]) -> dict:
    return {
        "count": len(latencies),
        "wall_s": round(wall, 3),
        "throughput_per_s": round(len(latencies) / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(_percentile(latencies, 95) * 1000, 1),
        "max_ms": round(max(latencies) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bids", type=int, default=50, help="concurrent submissions per scenario")
    parser.add_argument("--open", type=int, default=200, help="bids in the opened tender")
    parser.add_argument("--sealed", type=int, default=5000, help="bids in the sealed-opening scenario")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of the two submit scenarios")
    parser.add_argument("--results", default=os.environ.get("BENCH_RESULTS_DIR", str(ROOT / "bench" / "results")))
    parser.add_argument("--only", choices=["core", *SUITES], help="run only the core scenarios or one suite")
    suites = {name: import_module(f"bench.{name}") for name in SUITES}
    for suite in suites.values():
        suite.add_arguments(parser)
    args = parser.parse_args()

    _setup_django()
    results: dict = {}
    if args.only in (None, "core"):
        _core(args, results)
    for name, suite in suites.items():
        if args.only in (None, name):
            results[name] = suite.run(args)
    _write(args, results)


def _core(args, results: dict) -> None:
    from bench.sealing import bench_opening
    from bidding import services
    from procurement.audit import transparency_integrate, transparency_log_verify
    from tests.bidding.helpers import bidder, published_tender, set_times, submit
    from tests.factories import OfficialFactory

    official = OfficialFactory().user
    entity = official.official.entity

    def submitters(tenders):
        """One job per tender (repeats allowed), each by a fresh approved company."""
        users = [bidder() for _ in tenders]
        return [
            (lambda tender=tender, user=user, n=n: submit(tender, user, price=str(100_000_000 + n)))
            for n, (tender, user) in enumerate(zip(tenders, users, strict=True))
        ]

    results.update({"bids": args.bids, "opened_bids": args.open})

    # Warm up (imports, connections, caches), then alternate the two scenarios so that neither
    # profits from running second; report the median of the rounds' p50s.
    _concurrently(submitters([published_tender(entity=entity, created_by=official)] * 10))
    rounds: dict[str, list[dict]] = {"submit_one_tender": [], "submit_many_tenders": []}
    for _ in range(args.rounds):
        one = published_tender(entity=entity, created_by=official)
        rounds["submit_one_tender"].append(_summary(*_concurrently(submitters([one] * args.bids))))
        many = [published_tender(entity=entity, created_by=official) for _ in range(args.bids)]
        rounds["submit_many_tenders"].append(_summary(*_concurrently(submitters(many))))
    for name, runs in rounds.items():
        results[name] = {"rounds": runs, "median_p50_ms": statistics.median(r["p50_ms"] for r in runs)}
    results["one_vs_many_p50_ratio"] = round(
        results["submit_one_tender"]["median_p50_ms"] / results["submit_many_tenders"]["median_p50_ms"], 2
    )

    from bidding.content import bid_input_clean
    from bidding.services.submission import bid_seal

    sample_user = bidder()
    clean = bid_input_clean(
        price="123456789",
        currency=one.currency,
        lines=[],
        declarations={"no_conflict_of_interest": True, "no_collusion": True},
        reserve_picks=(),
        reserve_count=None,
        picks_required=None,
    )
    seal_times = []
    for _ in range(args.bids):
        began = time.perf_counter()
        bid_seal(tender=one, supplier=sample_user.supplier_membership.supplier, bid=clean)
        seal_times.append(time.perf_counter() - began)
    results["seal_only"] = {"p50_ms": round(statistics.median(seal_times) * 1000, 3)}

    big = published_tender(entity=entity, created_by=official)
    for n in range(args.open):
        submit(big, bidder(), price=str(90_000_000 + n * 1000))
    set_times(big, deadline=-2, opening=-1)
    services.bid_close_tender(tender_id=big.pk)
    began = time.perf_counter()
    record = services.bid_open_all(tender_id=big.pk)
    elapsed = time.perf_counter() - began
    results["open_tender"] = {
        "bids": record.bid_count,
        "seconds": round(elapsed, 3),
        "per_bid_ms": round(elapsed / max(record.bid_count, 1) * 1000, 2),
    }

    results["sealed_opening"] = bench_opening(bids=args.sealed)

    transparency_integrate()
    began = time.perf_counter()
    log = transparency_log_verify().check
    elapsed = time.perf_counter() - began
    results["verify_transparency_log"] = {
        "entries": log.tree_size,
        "ok": log.ok,
        "seconds": round(elapsed, 3),
        "entries_per_s": round(log.tree_size / elapsed) if elapsed else None,
    }


def _write(args, results: dict) -> None:
    out = Path(args.results)
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = ["# Benchmark results (one run; compare ratios, not absolute times)", ""]
    for name, value in results.items():
        lines.append(f"- **{name}**: {value}")
    (out / "latest.md").write_text("\n".join(lines) + "\n")
    # The table: the rows every bench recorded with bench.results.record().
    from bench import results as table

    table.write(out)
    print(json.dumps(results, indent=2))
    print(f"written to {out}/latest.json, latest.md, {table.TABLE_JSON} and {table.TABLE_MD}")


if __name__ == "__main__":
    main()

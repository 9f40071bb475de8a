"""Scale-out drill: two web nodes, two workers, two beats and a streaming replica replay a slot.

    .venv/bin/python bench/scaleout.py [--scaleout-tenders 12] [--scaleout-bidders 8] [--scaleout-slot 60]
    make bench BENCH_ARGS="--only scaleout"

Everything runs on private services this script starts and removes: a PostgreSQL primary made with
initdb, a streaming replica of it (pg_basebackup -R), a redis-server, two gunicorn web nodes (the
replica serves their public pages: DATABASE_REPLICA_URL), two Celery workers and two beats (one
schedules: procurement/beat.py). The slot is compressed like KONEPS's hourly one: every tender
closes in the last 30 % of it, half of each tender's bids arrive in the final tenth of its period,
and one bid per tender arrives a second after its deadline. Bids alternate between the nodes. The
leading beat is killed at 60 % of the slot; the standby must take over.

It reports — and checks — that every tender was opened exactly once (one opening record, one
`tender.opened` audit entry), that no bid sent before its deadline was refused or lost, that none
sent after it was accepted, that no request answered 5xx, and the replica's replay lag. Results go
to bench/results/scaleout.json and .md (docs/architecture.md §9).
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.pgcluster import PrivatePostgres, free_port  # noqa: E402
from tests.support.webnode import WebNode, http  # noqa: E402

SETTINGS = "tests.ops.web_settings"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scaleout-tenders", type=int, default=12, help="scale-out drill: tenders in the slot")
    parser.add_argument("--scaleout-bidders", type=int, default=8, help="scale-out drill: companies bidding on each")
    parser.add_argument("--scaleout-slot", type=float, default=60.0, help="scale-out drill: seconds of the slot")
    parser.add_argument("--scaleout-clients", type=int, default=16, help="scale-out drill: concurrent clients")


def run(args) -> dict:
    """As a suite of bench/run.py: the drill in a process of its own (it sets up Django its own way)."""
    out = Path(tempfile.mkstemp(suffix=".json")[1])
    command = [sys.executable, __file__, "--json", str(out), "--scaleout-tenders", str(args.scaleout_tenders),
               "--scaleout-bidders", str(args.scaleout_bidders), "--scaleout-slot", str(args.scaleout_slot),
               "--scaleout-clients", str(args.scaleout_clients)]  # fmt: skip
    # Its exit status says whether every check held; the rows below say which did not.
    subprocess.run(command, check=False, cwd=ROOT)
    result = json.loads(out.read_text())
    out.unlink()
    record_rows(result)
    return result


def record_rows(report: dict) -> None:
    """The drill's rows of the issue table (bench/results.py)."""
    from bench.results import record

    setup = "2 web nodes, 2 workers, 2 beats (leader killed mid-slot), streaming replica"
    record(
        "scale-out slot replay: every tender opened exactly once",
        value=f"{report['tenders_opened_exactly_once']} of {report['tenders']}",
        target="all",
        met=report["tenders_opened_exactly_once"] == report["tenders"],
        notes=f"{setup}; {report['bids_sent_in_time']} bids in time, {report['late_sent']} late",
    )
    record(
        "scale-out slot replay: bids sent before the deadline but refused or lost",
        value=report["in_time_refused_or_lost"],
        target="0",
        met=report["in_time_refused_or_lost"] == 0,
        notes=f"{setup}; refused: {report['in_time_refused']}; bid p50 {report['bid_latency_p50_s']} s, "
        f"p99 {report['bid_latency_p99_s']} s",
    )
    record(
        "scale-out slot replay: bids accepted after the deadline, 5xx answers",
        value=f"{report['late_accepted']} late, {report['responses_5xx']} × 5xx, {report['errors']} errors",
        target="0, 0",
        met=report["late_accepted"] == 0 and report["responses_5xx"] == 0 and report["errors"] == 0,
        notes=f"{setup}; public reads on the replica: {report['public_reads_ok']} of {report['public_reads']} "
        f"answered 200, replay lag {report['replica_replay_lag_s']} s",
    )


class Services:
    """Every process the drill starts, stopped in reverse order."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="scaleout-"))
        self.root.chmod(0o755)
        self.procs: list[subprocess.Popen] = []
        self.clusters: list[PrivatePostgres] = []
        self.webs: list[WebNode] = []

    def redis(self) -> str:
        port = free_port()
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.procs.append(
            subprocess.Popen(
                [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
            )
        )
        time.sleep(0.3)
        return f"redis://127.0.0.1:{port}/0"

    def celery(self, env: dict, *args: str) -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "procurement", *args, "-l", "warning"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.procs.append(proc)
        return proc

    def stop(self):
        for web in self.webs:
            web.stop()
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        for cluster in reversed(self.clusters):
            cluster.stop(mode="immediate")
        shutil.rmtree(self.root, ignore_errors=True)


def drill(args) -> dict:
    import signal

    # SIGTERM (a stopped bench) unwinds through the finally below instead of orphaning servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    services = Services()
    try:
        return _drill(args, services)
    finally:
        services.stop()


def _drill(args, services: Services) -> dict:
    timings = {}
    started = time.monotonic()
    primary = PrivatePostgres(services.root).init().start()
    services.clusters.append(primary)
    primary.sql("CREATE DATABASE portal")
    redis_url = services.redis()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATABASE_URL": primary.url("portal"),
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CACHE_KEY_PREFIX": "scaleout",
    }
    for name in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CACHE_KEY_PREFIX"):
        os.environ[name] = env[name]
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    timings["migrate_s"] = round(time.monotonic() - started, 1)
    replica = primary.standby()
    services.clusters.append(replica)

    import django

    django.setup()
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from bidding.models import Bid, BidVersion, OpeningRecord
    from procurement.models import AuditEntry
    from tenders.models import Tender
    from tests.bidding.helpers import set_times
    from tests.factories import SupplierMemberFactory, TenderFactory
    from tests.sealing import api_body, shares_release

    def db_now() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT extract(epoch FROM clock_timestamp())")
            return float(cursor.fetchone()[0])

    # The slot: deadlines spread over the last 30 % of it; opening 5 s after each deadline.
    setup_started = time.monotonic()
    tenders = [TenderFactory(published=True, title=f"Slot drill {i}") for i in range(args.scaleout_tenders)]
    users = [SupplierMemberFactory().user for _ in range(args.scaleout_bidders)]
    tokens = {user.pk: Token.objects.create(user=user).key for user in users}
    bodies = {
        (t.pk, u.pk): json.dumps(api_body(t, u.supplier_membership.supplier, price=str(90_000_000 + n))).encode()
        for t in tenders
        for n, u in enumerate(users)
    }
    timings["setup_s"] = round(time.monotonic() - setup_started, 1)

    for _ in range(2):
        node = WebNode(
            database_url=primary.url("portal"),
            redis_url=redis_url,
            settings_module=SETTINGS,
            workers=2,
            DATABASE_REPLICA_URL=replica.url("portal"),
            CACHE_KEY_PREFIX="scaleout",
        )
        services.webs.append(node.start())
    for n in range(2):
        services.celery(env, "worker", "--pool", "prefork", "--concurrency", "1", "-n", f"drill{n}@%h",
                        "--without-gossip", "--without-mingle")  # fmt: skip
    beats = []
    for n in range(2):
        beats.append(services.celery(env, "beat", "--schedule", str(services.root / f"beat{n}")))
        time.sleep(3)  # the first beat takes the scheduler lock; the second stands by

    for node in services.webs:  # warm every gunicorn worker up before the slot (imports, connections)
        for _ in range(4):
            http("GET", f"{node.url}/api/v1/tenders/", timeout=60)
            http("GET", f"{node.url}/tenders/", timeout=60)
    slot_start = db_now() + 5
    deadlines = {}
    for i, tender in enumerate(tenders):
        deadline_offset = args.scaleout_slot * (0.7 + 0.3 * (i + 1) / len(tenders))
        ahead = slot_start - db_now() + deadline_offset
        set_times(tender, deadline=ahead, opening=ahead + 5)
        deadlines[tender.pk] = slot_start + deadline_offset
    rng = random.Random(16)
    jobs = []
    for tender in tenders:
        period = deadlines[tender.pk] - slot_start
        for n, user in enumerate(users):
            final_tenth = n % 2 == 0
            at = slot_start + (rng.uniform(0.9, 0.995) if final_tenth else rng.uniform(0.0, 0.9)) * period
            jobs.append({"tender": tender.pk, "user": user.pk, "at": min(at, deadlines[tender.pk] - 0.3)})
        late_user = users[0]
        jobs.append({"tender": tender.pk, "user": late_user.pk, "at": deadlines[tender.pk] + 1.0, "late": True})
    jobs.sort(key=lambda j: j["at"])

    results = []
    lock = threading.Lock()

    def send(index_job):
        index, job = index_job
        delay = job["at"] - time.time()
        if delay > 0:
            time.sleep(delay)
        node = services.webs[index % 2]
        key = str(uuid.uuid4())
        headers = {"Authorization": f"Token {tokens[job['user']]}", "Content-Type": "application/json",
                   "Idempotency-Key": key}  # fmt: skip
        sent = time.time()
        try:
            answer = http("POST", f"{node.url}/api/v1/bids/", body=bodies[(job["tender"], job["user"])],
                          headers=headers, timeout=120)  # fmt: skip
            status = answer.status
            try:
                code = json.loads(answer.body).get("code", "")
            except ValueError:
                code = ""
        except Exception as exc:  # noqa: BLE001 - a dropped connection is a result to count
            status, code = f"error:{type(exc).__name__}", ""
        with lock:
            results.append({**job, "sent": sent, "status": status, "code": code, "latency": time.time() - sent})

    public_reads = []
    stop_reading = threading.Event()

    def read_public():
        n = 0
        while not stop_reading.is_set():
            node = services.webs[n % 2]
            n += 1
            try:
                public_reads.append(http("GET", f"{node.url}/tenders/?q=Slot", timeout=30).status)
            except Exception as exc:  # noqa: BLE001
                public_reads.append(f"error:{type(exc).__name__}")
            time.sleep(0.5)

    def kill_leading_beat():
        time.sleep(max(0, slot_start + 0.6 * args.scaleout_slot - time.time()))
        beats[0].kill()  # the first beat started first and holds the lock

    reader = threading.Thread(target=read_public, daemon=True)
    reader.start()
    killer = threading.Thread(target=kill_leading_beat, daemon=True)
    killer.start()
    with ThreadPoolExecutor(max_workers=args.scaleout_clients) as pool:
        list(pool.map(send, enumerate(jobs)))

    # The custodians release their shares after each deadline; the workers open at the opening time.
    while time.time() < max(deadlines.values()) + 1:
        time.sleep(0.5)
    for tender in tenders:
        shares_release(Tender.objects.get(pk=tender.pk))
    wait_started = time.monotonic()
    while time.monotonic() - wait_started < 240:
        if Tender.objects.filter(pk__in=deadlines, status=Tender.Status.OPENED).count() == len(tenders):
            break
        time.sleep(1)
    opened_after_s = round(time.monotonic() - wait_started, 1)
    stop_reading.set()
    lag = primary.sql("SELECT extract(epoch FROM max(replay_lag)) FROM pg_stat_replication")[0][0]

    # Judged by when the request left the client, as a bidder would judge it.
    in_time = [r for r in results if r["sent"] < deadlines[r["tender"]]]
    late = [r for r in results if r["sent"] >= deadlines[r["tender"]]]
    accepted = {(r["tender"], r["user"]) for r in in_time if r["status"] == 201}
    late_accepted_db = 0
    for tender in tenders:
        deadline = Tender.objects.get(pk=tender.pk).submission_deadline
        late_accepted_db += BidVersion.objects.filter(tender=tender, submitted_at__gte=deadline).count()
    openings = {
        t.pk: (
            OpeningRecord.objects.filter(tender=t).count(),
            AuditEntry.objects.filter(action="tender.opened", object_id=str(t.pk)).count(),
        )
        for t in tenders
    }
    bids_in_db = Bid.objects.filter(tender__in=tenders).count()
    latencies = sorted(r["latency"] for r in in_time)
    report = {
        "tenders": len(tenders),
        "bids_sent_in_time": len(in_time),
        "bids_accepted": len(accepted),
        "bids_in_database": bids_in_db,
        "in_time_refused_or_lost": len(in_time) - len(accepted),
        "late_sent": len(late),
        "late_accepted": sum(1 for r in late if r["status"] in (200, 201)) + late_accepted_db,
        "in_time_refused": [
            {
                "status": r["status"],
                "code": r["code"],
                "sent_before_deadline_s": round(deadlines[r["tender"]] - r["sent"], 3),
                "latency_s": round(r["latency"], 3),
            }
            for r in in_time
            if r["status"] != 201
        ],
        "responses_5xx": sum(1 for r in results if isinstance(r["status"], int) and r["status"] >= 500),
        "errors": sum(1 for r in results if not isinstance(r["status"], int)),
        "tenders_opened_exactly_once": sum(1 for c in openings.values() if c == (1, 1)),
        "opened_within_s_after_last_share": opened_after_s,
        "public_reads": len(public_reads),
        "public_reads_ok": sum(1 for s in public_reads if s == 200),
        "replica_replay_lag_s": float(lag) if lag is not None else 0.0,
        "bid_latency_p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "bid_latency_p99_s": round(latencies[int(0.99 * (len(latencies) - 1))], 3) if latencies else None,
        "leading_beat_killed_at_slot_fraction": 0.6,
        "nodes": {"web": 2, "worker": 2, "beat": 2, "replica": 1},
        **timings,
    }
    report["ok"] = (
        report["in_time_refused_or_lost"] == 0
        and report["late_accepted"] == 0
        and report["responses_5xx"] == 0
        and report["errors"] == 0
        and report["tenders_opened_exactly_once"] == len(tenders)
        and report["bids_in_database"] == len(accepted)
    )
    return report


def write_results(report: dict) -> None:
    directory = Path(os.environ.get("BENCH_RESULTS_DIR", ROOT / "bench" / "results"))
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "scaleout.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = ["# Scale-out drill (bench/scaleout.py)", "", "| measurement | value |", "| --- | --- |"]
    lines += [f"| {key} | {value} |" for key, value in report.items()]
    (directory / "scaleout.md").write_text("\n".join(lines) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    parser.add_argument("--json", help="also write the report to this file (used by bench/run.py)")
    args = parser.parse_args()
    report = drill(args)
    write_results(report)
    if not args.json:  # alone: write the table rows too (bench/run.py writes them itself)
        from bench.results import write

        record_rows(report)
        write()
    if args.json:
        Path(args.json).write_text(json.dumps(report))
    print(json.dumps(report, indent=2))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

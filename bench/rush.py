"""The deadline rush and the opening, each against its reference measured side by side in one run.

    make bench BENCH_ARGS="--only rush"        # or: .venv/bin/python bench/run.py --only rush

Submission (rows of the issue's table through bench/results.py):
- a gunicorn with 3 workers and production settings (DEBUG off, secrets from the environment)
  serves the bench database, with a private redis-server as its cache and broker (removed at the end);
- `--rush-clients` threads (64) each send `--rush-requests` requests per scenario and round, token
  authenticated: `submit_one` — sealed bids (sealed beforehand, as the client's browser or
  sealclient does) from distinct companies to ONE tender; `submit_50` — the same spread over 50
  tenders; `form_one` — the bid page's POST (session, CSRF, multipart ciphertexts, answered with
  a redirect to the receipt) to ONE tender; `get` — GET /api/v1/me/, the trivial authenticated reference;
- the scenarios alternate in `--rounds` rounds (order rotated); each round's throughput and
  p50/p99 latency are kept, the table gets the medians and the spread. Every answer must be
  201 (302 for the form, 200 for the GET): a refused bid fails the bench.
- the SQL statements of one API submission, counted in this process (tests assert the same bound).

Opening: `--rush-open` sizes (1,000 and 5,000 bids sealed with the reference client), each opened by
`bid_open_all` in `--rush-open-rounds` rounds against the bare decryption of the same ciphertexts
(bench/sealing.py); bids per second, median and spread.
"""

import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from base64 import b64encode
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import results  # noqa: E402


def add_arguments(parser) -> None:
    parser.add_argument("--rush-clients", type=int, default=64, help="rush: concurrent clients")
    parser.add_argument("--rush-requests", type=int, default=6, help="rush: requests per client, scenario and round")
    parser.add_argument("--rush-open", default="1000,5000", help="rush: bids in the opened tenders, comma-separated")
    parser.add_argument("--rush-open-rounds", type=int, default=3, help="rush: rounds of each opening size")


def run(args) -> dict:
    from django.conf import settings

    if not settings.PLATFORM_CUSTODIAN_KEY:
        # The throwaway bench database gets a throwaway platform custodian (as bench/sealing.py does).
        settings.PLATFORM_CUSTODIAN_KEY = b64encode(secrets.token_bytes(32)).decode()
    report = {"submission": _submission(args)}
    report["opening"] = _opening(args)
    return report


# --- submission ------------------------------------------------------------------------------------


def _companies(count: int) -> list[tuple[int, str]]:
    """`count` approved companies, each with one bidding administrator and an API token: (supplier id, token)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from rest_framework.authtoken.models import Token

    from procurement.roles import Role
    from suppliers.models import Supplier, SupplierMember
    from tests.factories import valid_brn

    User = get_user_model()
    tag = secrets.token_hex(3)
    offset = Supplier.objects.count() + 500_000
    with transaction.atomic():
        users = User.objects.bulk_create(
            User(email=f"rush-{tag}-{n}@bench.example", full_name=f"Rush {n}", role=Role.SUPPLIER, language="en")
            for n in range(count)
        )
        EmailAddress.objects.bulk_create(
            EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
        )
        suppliers = Supplier.objects.bulk_create(
            Supplier(
                name_ko=f"러시{tag}{n}",
                name_en=f"Rush {tag} {n}",
                registration_number=valid_brn(offset + n),
                status=Supplier.Status.APPROVED,
            )
            for n in range(count)
        )
        SupplierMember.objects.bulk_create(
            SupplierMember(user=u, supplier=s, role=SupplierMember.Role.ADMINISTRATOR)
            for u, s in zip(users, suppliers, strict=True)
        )
        tokens = Token.objects.bulk_create(Token(user=u, key=Token.generate_key()) for u in users)
    return [(s.pk, t.key) for s, t in zip(suppliers, tokens, strict=True)]


def _sealed_body(tender, supplier_id: int, price: int) -> bytes:
    """What the reference client posts: the bid sealed to the tender key (done before the clock runs)."""
    from sealclient import sealing

    content = sealing.bid_content(
        tender_reference=tender.reference, supplier_id=supplier_id, currency=tender.currency, price=price
    )
    sealed = sealing.bid_seal(bytes(tender.public_key), content)
    return json.dumps({"tender": tender.pk, **sealed.as_json()}).encode()


def _form_jobs(tender, count: int, secret_key: str) -> list[tuple[str, bytes, dict]]:
    """`count` companies, each signed in (a session made under the web node's SECRET_KEY) posting the
    bid page's sealed multipart form with its CSRF token: what the browser sends once it has sealed."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.test.utils import override_settings
    from rest_framework.authtoken.models import Token

    from tests.bidding.helpers import sealed_form_data

    jobs = []
    tokens = [token for _supplier, token in _companies(count)]
    users = {t.key: t.user for t in Token.objects.filter(key__in=tokens).select_related("user")}
    for n, token in enumerate(tokens):
        user = users[token]
        data = sealed_form_data(tender, user, price=str(91_000_000 + n))
        with override_settings(SECRET_KEY=secret_key):
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
        csrf = secrets.token_hex(16)  # a 32-character secret: cookie and field alike
        boundary = uuid.uuid4().hex
        parts = [
            ("csrfmiddlewaretoken", None, csrf.encode()),
            ("idempotency_key", None, data["idempotency_key"].encode()),
            ("plaintext_hash", None, data["plaintext_hash"].encode()),
            ("content", "content.sealed", data["content"].read()),
        ]
        body = (
            b"".join(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'.encode()
                + (f'; filename="{filename}"\r\nContent-Type: application/octet-stream'.encode() if filename else b"")
                + b"\r\n\r\n"
                + value
                + b"\r\n"
                for name, filename, value in parts
            )
            + f"--{boundary}--\r\n".encode()
        )
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Cookie": f"sessionid={session.session_key}; csrftoken={csrf}",
        }
        jobs.append((f"/bids/tender/{tender.pk}/bid/", body, headers))
    return jobs


def _production_env() -> dict:
    return {
        "DEBUG": "0",
        "MFA_DEMO_RELAX": "0",
        "SECRET_KEY": "bench-" + secrets.token_hex(32),
        "TRANSPARENCY_SIGNING_KEY": b64encode(secrets.token_bytes(32)).decode(),
        "INTEGRITY_HASH_KEY": secrets.token_hex(16),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": "http://127.0.0.1",
        "SITE_URL": "http://127.0.0.1",
        # Plain HTTP on the loopback: no TLS proxy in front of this gunicorn.
        "SECURE_SSL_REDIRECT": "0",
    }


class _Redis:
    """A private redis-server: the web nodes' cache and broker, so no task reaches a real worker."""

    def __init__(self):
        from tests.support.pgcluster import free_port

        self.port = free_port()
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        time.sleep(0.3)
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the form's 302 to the receipt is its answer: not followed


_OPENER = urllib.request.build_opener(_NoRedirect)


def _fire(url: str, jobs: list[tuple[str, bytes | None, dict]], clients: int) -> dict:
    """Send the jobs from `clients` threads at once; throughput and latencies of the whole batch."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    gate = threading.Barrier(clients)
    shares = [jobs[n::clients] for n in range(clients)]

    def client(share):
        gate.wait()
        for path, body, headers in share:
            request = urllib.request.Request(url + path, data=body, headers=headers, method="POST" if body else "GET")
            began = time.perf_counter()
            try:
                with _OPENER.open(request, timeout=120) as response:
                    response.read()
                    status = response.status
            except urllib.error.HTTPError as exc:
                exc.read()
                status = exc.code
                if 300 <= status < 400 and "/receipts/" not in exc.headers.get("Location", ""):
                    status = -status  # a redirect elsewhere (sign-in, a refusal) is no receipt
            elapsed = time.perf_counter() - began
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=client, args=(share,)) for share in shares]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "per_s": len(latencies) / wall,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))] * 1000,
        "statuses": statuses,
    }


def _statements_per_submission(tender) -> int:
    """The SQL statements of one API submission, in this process (the test asserts the same bound)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    ((supplier_id, token),) = _companies(1)
    client = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")
    body = _sealed_body(tender, supplier_id, 99_000_000)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            "/api/v1/bids/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
        )
    if response.status_code != 201:
        raise RuntimeError(f"the statement count submission was refused: {response.status_code}")
    return len(queries.captured_queries)


def _submission(args) -> dict:
    from django.db import connection

    from tests.bidding.helpers import published_tender
    from tests.support.webnode import WebNode

    clients, per_client, rounds = args.rush_clients, args.rush_requests, args.rounds
    batch = clients * per_client
    one = published_tender()
    many = [published_tender() for _ in range(50)]
    statements = _statements_per_submission(one)
    # Every request is a first submission by a company of its own (sealed before the clock runs).
    bodies: dict[str, list[list[tuple[str, bytes | None, dict]]]] = {"submit_one": [], "submit_50": []}
    for name in bodies:
        for _ in range(rounds + 1):  # one warm-up batch, then the rounds
            companies = _companies(batch)
            jobs = []
            for n, (supplier_id, token) in enumerate(companies):
                tender = one if name == "submit_one" else many[n % len(many)]
                headers = {
                    "Authorization": f"Token {token}",
                    "Content-Type": "application/json",
                    "Idempotency-Key": str(uuid.uuid4()),
                }
                jobs.append(("/api/v1/bids/", _sealed_body(tender, supplier_id, 90_000_000 + n), headers))
            bodies[name].append(jobs)
    env = _production_env()
    # The web form to the same one tender, each request a first submission by a company of its own.
    bodies["form_one"] = [_form_jobs(one, batch, env["SECRET_KEY"]) for _ in range(rounds + 1)]
    get_tokens = [token for _supplier, token in _companies(clients)]
    get_jobs = [("/api/v1/me/", None, {"Authorization": f"Token {get_tokens[n % clients]}"}) for n in range(batch)]
    connection.close()

    redis = _Redis()
    node = WebNode(
        database_url=os.environ["DATABASE_URL"],
        redis_url=redis.url,
        settings_module="procurement.settings",
        workers=3,
        **env,
    )
    try:
        node.start()
        # Warm every worker (imports, connections, caches) with each scenario once.
        for name in bodies:
            _check(name, _fire(node.url, bodies[name][0], clients))
        _fire(node.url, get_jobs, clients)
        rounds_left = {name: iter(bodies[name][1:]) for name in bodies}
        measured = results.rounds(
            {
                **{
                    name: (lambda name=name: _check(name, _fire(node.url, next(rounds_left[name]), clients)))
                    for name in bodies
                },
                "get": lambda: _check("get", _fire(node.url, get_jobs, clients)),
            },
            count=rounds,
        )
    finally:
        node.stop()
        redis.stop()

    report = {"clients": clients, "requests_per_round": batch, "statements_per_submission": statements}
    get_rate = [r["per_s"] for r in measured["get"]]
    for name, label in (
        ("submit_one", "API, one tender"),
        ("submit_50", "API, 50 tenders"),
        ("form_one", "form, one tender"),
    ):
        rates = [r["per_s"] for r in measured[name]]
        p50 = statistics.median(r["p50_ms"] for r in measured[name])
        p99 = statistics.median(r["p99_ms"] for r in measured[name])
        ratios = [s / g for s, g in zip(rates, get_rate, strict=True)]  # round by round, side by side
        ratio = statistics.median(ratios)
        results.record(
            f"bid submission throughput, {clients} clients ({label})",
            value=statistics.median(rates),
            unit=f"bids/s, p50 {p50:.0f} ms, p99 {p99:.0f} ms",
            reference=statistics.median(get_rate),
            reference_label="trivial authenticated GET /api/v1/me/ (req/s)",
            ratio=ratio,
            target="≥ 0.5, p99 ≤ 10× p50",
            met=ratio >= 0.5 and p99 <= 10 * p50,
            spread={name: results.spread(rates), "get": results.spread(get_rate), "ratio": results.spread(ratios)},
            notes=f"gunicorn 3 workers × 2 threads, production settings; {statements} SQL statements an API bid",
        )
        report[name] = measured[name]
    report["get"] = measured["get"]
    return report


def _check(name: str, outcome: dict) -> dict:
    expected = {"get": 200, "form_one": 302}.get(name, 201)
    if set(outcome["statuses"]) != {expected}:
        raise RuntimeError(f"{name}: unexpected answers {outcome['statuses']}")
    return outcome


# --- opening ---------------------------------------------------------------------------------------


def _opening(args) -> dict:
    from bench.sealing import bench_opening

    sizes = [int(n) for n in args.rush_open.split(",") if n.strip()]
    runs = results.rounds(
        {str(n): (lambda n=n: bench_opening(bids=n, verify=False)) for n in sizes}, count=args.rush_open_rounds
    )
    report = {}
    for n in sizes:
        done = runs[str(n)]
        rates = [r["bids"] / r["open_s"] for r in done]
        bare = [r["bids"] / r["bare_decrypt_s"] for r in done]
        ratios = [o / b for o, b in zip(rates, bare, strict=True)]
        commit = statistics.median(r["commit_s"] / r["open_s"] for r in done)
        value = statistics.median(rates)
        results.record(
            f"opening, {n:,} bids",
            value=value,
            unit="bids/s",
            reference=statistics.median(bare),
            reference_label="bare sealed-box decrypt of the same ciphertexts (bids/s)",
            ratio=statistics.median(ratios),
            target="≥ 5,000 bids/s",
            met=value >= 5000,
            spread={"open": results.spread(rates), "bare": results.spread(bare), "ratio": results.spread(ratios)},
            notes="bid_open_all with quorum recombination, floor-rate tender with reserve prices, in one transaction;"
            f" {commit:.0%} of the time is the commit (deferred audit checks, one coverage probe per changed row)",
        )
        report[str(n)] = done
    return report

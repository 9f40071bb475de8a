"""Public tender search with 100,000 tenders against a tender page fetched by id, side by side.

    .venv/bin/python bench/run.py --only search [--search-tenders 100000] [--search-rounds 5]

Fills the table with `INSERT … SELECT generate_series` (Korean and English titles and descriptions
built from word lists, every public status, methods, categories, values and deadlines spread out),
ANALYZEs it, then runs interleaved rounds: in each round every scenario — the tender detail page by
id (the primary-key reference) and several realistic searches (Korean and English words, filters,
sorts, later pages, the API) — is requested through Django's test client by 1 and then 4 concurrent
searchers. Reports p50/p95 per scenario and concurrency, and each search's p95 over the reference's
p95 at the same concurrency (target ≤ 5, issue 16). Also keeps the EXPLAIN ANALYZE of the
heaviest query so a regression can be read, not guessed.
"""

import argparse
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Word lists: a title is region + object + kind of work (Korean) or kind + object + place (English).
KO_REGIONS = [
    "서울특별시",
    "부산광역시",
    "경기도",
    "강원특별자치도",
    "세종특별자치시",
    "제주특별자치도",
    "대구광역시",
    "인천광역시",
    "광주광역시",
    "충청북도",
    "전라남도",
    "경상북도",
]
KO_OBJECTS = [
    "노후 하수관로",
    "국도 도로",
    "정부청사 전산장비",
    "초등학교 교실",
    "교량",
    "상수도 관망",
    "가로등",
    "도시공원",
    "행정정보시스템",
    "소방차량",
    "청사 냉난방설비",
    "하천 제방",
    "보건소 의료장비",
    "도서관 서가",
    "터널 조명",
]
KO_WORKS = [
    "정비공사",
    "포장공사",
    "구매",
    "유지보수 용역",
    "청소용역",
    "설치공사",
    "개발사업",
    "교체공사",
    "임차",
    "감리용역",
]
EN_KINDS = ["Supply of", "Maintenance of", "Installation of", "Repair of", "Design and construction of", "Leasing of"]
EN_OBJECTS = [
    "laptop computers",
    "office furniture",
    "medical equipment",
    "road markings",
    "street lights",
    "water pipes",
    "fire engines",
    "school buildings",
    "network servers",
    "bridge bearings",
    "cleaning services",
    "security cameras",
]
EN_PLACES = [
    "for schools",
    "in Seoul",
    "in Busan",
    "for the ministry",
    "on National Route 1",
    "for public libraries",
    "in Gyeonggi province",
    "for health centres",
]
KO_SENTENCES = [
    "<p>기존 시설의 노후화에 따른 개선 사업입니다.</p>",
    "<p>입찰참가자격은 관련 면허를 보유한 업체로 제한합니다.</p>",
    "<p>하자담보책임기간은 준공 후 2년입니다.</p>",
    "<p>설치 및 시운전, 사용자 교육을 포함합니다.</p>",
    "<p>데스크톱과 모니터, 프린터를 포함합니다.</p>",
    "<p>야간 작업이 필요할 수 있습니다.</p>",
]
EN_SENTENCES = [
    "<p>Including warranty and on-site repair.</p>",
    "<p>Asphalt overlay and road markings.</p>",
    "<p>Delivery within 60 days of the contract.</p>",
    "<p>Old computer equipment is to be collected.</p>",
    "<p>Bidders must hold the relevant licence.</p>",
    "<p>Training of staff is included.</p>",
]
STATUSES = ["published"] * 4 + [
    "closed",
    "opened",
    "evaluated",
    "awarded",
    "contracted",
    "contracted",
    "contracted",
    "cancelled",
    "unsuccessful",
]


def _array(values: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _pick(values: list[str], seed: str) -> str:
    """A deterministic pick from a word list for row i (a hash, so columns do not move together)."""
    return f"({_array(values)})[1 + mod(abs(hashtext(i::text || '{seed}')::bigint), {len(values)})]"


def seed_tenders(count: int) -> None:
    """`count` public tenders of one entity, in one statement (about ten seconds for 100,000)."""
    from django.db import connection

    from tenders.models import Official
    from tests.factories import OfficialFactory

    membership = Official.objects.filter(user__email="bench-search@agency.example").first()
    official = (
        membership or OfficialFactory(user__email="bench-search@agency.example", entity__code="BENCH-SEARCH")
    ).user
    korean = f"{_pick(KO_REGIONS, 'r')} || ' ' || {_pick(KO_OBJECTS, 'o')} || ' ' || {_pick(KO_WORKS, 'w')}"
    english = f"{_pick(EN_KINDS, 'k')} || ' ' || {_pick(EN_OBJECTS, 'e')} || ' ' || {_pick(EN_PLACES, 'p')}"
    ko_text = f"{_pick(KO_SENTENCES, 's1')} || {_pick(KO_SENTENCES, 's2')} || {_pick(EN_SENTENCES, 's3')}"
    en_text = f"{_pick(EN_SENTENCES, 's1')} || {_pick(EN_SENTENCES, 's2')}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO tenders_tender (
                reference, ocid, title, description, method, method_justification, category, estimated_value,
                currency, delivery_place, delivery_period, eligibility, evaluation_method, evaluation_params,
                clarification_deadline, submission_deadline, opening_at, status, version, cancellation_reason,
                unsuccessful_reason, created_at, updated_at, published_at, status_changed_at, created_by_id,
                entity_id, envelopes, bid_security_kind, consortium_allowed)
            SELECT 'B' || lpad(i::text, 9, '0'), 'ocds-bench-' || i,
                   CASE WHEN mod(i, 10) < 7 THEN {korean} ELSE {english} END,
                   CASE WHEN mod(i, 10) < 7 THEN {ko_text} ELSE {en_text} END,
                   {_pick(["open", "open", "open", "restricted", "limited"], "m")},
                   '', {_pick(["goods", "works", "services"], "c")},
                   (1 + mod(abs(hashtext(i::text || 'v')::bigint), 5000)) * 1000000,
                   'KRW', '', '', '', 'lowest_price', '{{}}',
                   pub + interval '10 days', pub + interval '20 days', pub + interval '20 days 1 hour',
                   {_pick(STATUSES, "st")}, 0, '', '', pub, pub, pub, pub, %s, %s, 1, 'none', false
            FROM (SELECT i, now() - mod(i, 1500) * interval '1 day' - mod(i, 1440) * interval '1 minute' AS pub
                  FROM generate_series(1, %s) AS i) AS rows
            """,
            [official.pk, official.official.entity_id, count],
        )
        cursor.execute("ANALYZE tenders_tender, tenders_procuringentity")


# (name, path, query parameters): what people type on the public list and what the API serves.
SCENARIOS = [
    ("ko_word", "/tenders/", {"q": "하수관"}),
    ("ko_two_syllables", "/tenders/", {"q": "도로"}),
    ("ko_two_words_filtered", "/tenders/", {"q": "전산장비 구매", "status": "published", "category": "goods"}),
    ("ko_sorted_by_closing", "/tenders/", {"q": "정비공사", "sort": "closing", "page": "3"}),
    ("en_words", "/tenders/", {"q": "laptop computers"}),
    ("en_stem_page_5", "/tenders/", {"q": "computer", "page": "5"}),
    ("en_typo", "/tenders/", {"q": "computr"}),
    ("filters_only_by_value", "/tenders/", {"category": "works", "value_min": "1000000000", "sort": "value_desc"}),
    ("no_query_page_10", "/tenders/", {"page": "10"}),
    ("api_ko_word", "/api/v1/tenders/", {"q": "하수관"}),
]


def _measure(path_for, requests: int, concurrency: int) -> list[float]:
    """`requests` GETs from `concurrency` threads, each with its own client and connection; seconds each."""
    from django.db import connection
    from django.test import Client

    latencies: list[float] = []
    lock = threading.Lock()
    per_thread = max(1, requests // concurrency)

    def worker(offset: int) -> None:
        client = Client()
        mine = []
        try:
            for n in range(per_thread):
                path, params = path_for(offset * per_thread + n)
                started = time.perf_counter()
                response = client.get(path, params)
                mine.append(time.perf_counter() - started)
                assert response.status_code == 200, (path, params, response.status_code)
        finally:
            connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def _p(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _explain(params: dict) -> str:
    from django.db import connection

    from tenders.filters import TenderFilter
    from tenders.selectors import tenders_public

    qs = TenderFilter(params, queryset=tenders_public()).qs[:20]
    sql, args = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, args)
        return "\n".join(row[0] for row in cursor.fetchall())


def bench_search(*, tenders: int = 100_000, rounds: int = 5, requests: int = 8, concurrencies=(1, 4)) -> dict:
    from django.conf import settings
    from django.core.cache import cache

    from tenders.models import Tender

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # Django's test client's host name

    started = time.perf_counter()
    if Tender.objects.count() < tenders:
        seed_tenders(tenders - Tender.objects.count())
    seeded = time.perf_counter() - started
    ids = list(Tender.objects.order_by("?").values_list("pk", flat=True)[:200])
    scenarios = [("reference_detail_by_id", None, None), *SCENARIOS]

    def path_for(name, path, params):
        if path is None:
            return lambda n: (f"/tenders/{ids[n % len(ids)]}/", {})
        return lambda n: (path, params)

    # One warm-up pass so the first round does not pay for cold caches alone.
    for name, path, params in scenarios:
        _measure(path_for(name, path, params), 2, 1)
    samples: dict[tuple[str, int], list[list[float]]] = {}
    for _round in range(rounds):
        for concurrency in concurrencies:
            for name, path, params in scenarios:
                cache.clear()  # rate limits and cached fragments must not flatter a scenario
                lat = _measure(path_for(name, path, params), requests * concurrency, concurrency)
                samples.setdefault((name, concurrency), []).append(lat)

    result: dict = {"tenders": Tender.objects.count(), "seed_seconds": round(seeded, 1), "rounds": rounds}
    for concurrency in concurrencies:
        reference = [x for r in samples[("reference_detail_by_id", concurrency)] for x in r]
        ref_p95 = _p(reference, 95)
        rows = {}
        for name, _path, params in scenarios:
            runs = samples[(name, concurrency)]
            pooled = [x for r in runs for x in r]
            per_round_p95 = [_p(r, 95) * 1000 for r in runs]
            rows[name] = {
                "params": params,
                "p50_ms": round(_p(pooled, 50) * 1000, 1),
                "p95_ms": round(_p(pooled, 95) * 1000, 1),
                "p95_spread_ms": [round(min(per_round_p95), 1), round(max(per_round_p95), 1)],
                "p95_ratio_to_reference": round(_p(pooled, 95) / ref_p95, 2),
            }
        worst = max(
            (r for n, r in rows.items() if n != "reference_detail_by_id"), key=lambda r: r["p95_ratio_to_reference"]
        )
        result[f"searchers_{concurrency}"] = {
            "scenarios": rows,
            "worst_p95_ratio": worst["p95_ratio_to_reference"],
            "target_ratio": 5,
        }
    result["explain_ko_two_syllables"] = _explain({"q": "도로"})
    _record(result, concurrencies, rounds)
    return result


def _record(result: dict, concurrencies, rounds: int) -> None:
    """One row of the issue's table per concurrency: the worst search's p95 against the detail page's."""
    from bench.results import record

    for concurrency in concurrencies:
        rows = result[f"searchers_{concurrency}"]["scenarios"]
        reference = rows.pop("reference_detail_by_id")
        worst_name, worst = max(rows.items(), key=lambda item: item[1]["p95_ratio_to_reference"])
        ratio = worst["p95_ratio_to_reference"]
        rows["reference_detail_by_id"] = reference
        record(
            f"public search, {result['tenders']:,} tenders, {concurrency} searcher{'s' if concurrency > 1 else ''}",
            value=worst["p95_ms"],
            unit="ms p95 (worst of the searches)",
            reference=reference["p95_ms"],
            reference_label="tender detail by id, p95",
            ratio=ratio,
            target="≤ 5×",
            met=ratio <= 5,
            spread={name: {"p95_ms": r["p95_ms"], "p95_spread_ms": r["p95_spread_ms"]} for name, r in rows.items()},
            notes=f"worst: {worst_name}; {len(rows) - 1} searches (ko/en, filters, sorts, pages, API), "
            f"{rounds} interleaved rounds",
        )


def add_arguments(parser) -> None:
    parser.add_argument("--search-tenders", type=int, default=100_000)
    parser.add_argument("--search-rounds", type=int, default=5)
    parser.add_argument("--search-requests", type=int, default=8, help="requests per searcher per scenario and round")


def run(args) -> dict:
    return bench_search(tenders=args.search_tenders, rounds=args.search_rounds, requests=args.search_requests)


def main() -> None:
    """Run against the database in DATABASE_URL as it is (tenders added up to --search-tenders)."""
    import json
    import os

    import django

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--write", action="store_true", help="merge the rows into bench/results/table.*")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procurement.settings")
    django.setup()
    result = bench_search(
        tenders=args.search_tenders,
        rounds=args.search_rounds,
        requests=args.search_requests,
        concurrencies=tuple(args.concurrency),
    )
    result.pop("explain_ko_two_syllables")
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if args.write:
        from bench.results import write

        print("written to", write())


if __name__ == "__main__":
    main()

"""Integrity rules over a generated market: every rule timed over every record (the nightly run).

    .venv/bin/python bench/run.py --only integrity [--tenders 100000 --bids-per-tender 20]

The dataset is generated in PostgreSQL with generate_series (seconds, not hours of ORM saves):
entities, suppliers in 17 regional pools, awarded tenders with opened bids, versions, origins,
awards to the lowest bid, and a sprinkle of the patterns the rules look for (identical prices,
shared addresses, disqualified lowest bids, amendments after one supplier's questions). Rows are
written directly, so they are realistic in shape, not in history: the point is how long each
rule's query takes at this size.
"""

import time

REGIONS = [
    "서울특별시", "부산광역시", "대구광역시", "인천광역시", "광주광역시", "대전광역시", "울산광역시", "세종특별자치시",
    "경기도", "강원특별자치도", "충청북도", "충청남도", "전북특별자치도", "전라남도", "경상북도", "경상남도",
    "제주특별자치도",
]  # fmt: skip


# Divisible by every pattern's period below (40, 50, 60, 100) and by the bids per tender.
OFFSET = 120_000_000


def add_arguments(parser) -> None:
    parser.add_argument("--tenders", type=int, default=100_000, help="integrity: tenders in the generated market")
    parser.add_argument("--bids-per-tender", type=int, default=20, help="integrity: opened bids per tender")
    parser.add_argument("--suppliers", type=int, default=5_000, help="integrity: supplier companies")
    parser.add_argument("--entities", type=int, default=200, help="integrity: procuring entities")


def _generate(cursor, *, tenders: int, per_tender: int, suppliers: int, entities: int) -> list[float]:
    pool = suppliers // len(REGIONS)
    params = {
        "tenders": tenders,
        "per": per_tender,
        "suppliers": suppliers,
        "entities": entities,
        "regions": REGIONS,
        "nregions": len(REGIONS),
        "pool": pool,
        # Ids above whatever the other scenarios of the run created.
        "o": OFFSET,
    }
    statements = [
        """INSERT INTO procurement_user (id, password, is_superuser, email, full_name, role, language, is_active,
                                         is_staff, date_joined)
           VALUES (%(o)s + 1, '!', false, 'bench-integrity@example.org', 'Bench', 'official', 'en', true, false,
                   now())""",
        """INSERT INTO tenders_procuringentity (id, code, name_ko, name_en, kind, is_active, requires_second_approval)
           SELECT %(o)s + i, 'BENCH' || i, '기관 ' || i, 'Entity ' || i, 'central', true, false
             FROM generate_series(1, %(entities)s) i""",
        """INSERT INTO suppliers_supplier (id, name_ko, name_en, country, registration_number, status, created_at,
                address, contact_email, phone, representative, size_class, status_reason, submitted_at, updated_at)
           SELECT %(o)s + i, '업체 ' || i, 'Supplier ' || i, 'KR', 'BENCH' || i, 'approved', now(), '', '', '', '',
                  'sme', '', now(), now()
             FROM generate_series(1, %(suppliers)s) i""",
        # Tenders published over two years, 7-30 days open, in 17 regions and three categories.
        """INSERT INTO tenders_tender (id, reference, ocid, title, description, method, method_justification, category,
                estimated_value, currency, delivery_place, delivery_period, eligibility, evaluation_method,
                evaluation_params, status, version, cancellation_reason, unsuccessful_reason, created_at, updated_at,
                status_changed_at, created_by_id, entity_id, published_at, submission_deadline, opening_at)
           SELECT %(o)s + t, 'B-' || t, 'ocds-bench-' || t, 'Tender ' || t, '', 'open', '',
                  (ARRAY['goods', 'services', 'works'])[1 + t %% 3],
                  round((10000000 + (t * 7919 %% 990000) * 1000)::numeric, -3), 'KRW',
                  (%(regions)s::text[])[1 + t %% %(nregions)s] || ' 중앙로 ' || t, '', '', 'lowest_price', '{}',
                  'awarded', 0, '', '', p, p, p, %(o)s + 1, %(o)s + 1 + t %% %(entities)s, p,
                  p + make_interval(days => 7 + t %% 24 - CASE WHEN t %% 97 = 0 THEN 5 ELSE 0 END),
                  p + make_interval(days => 8 + t %% 24)
             FROM generate_series(1, %(tenders)s) t,
                  LATERAL (SELECT now() - make_interval(days => 730) + make_interval(mins => t * 10) AS p) x""",
        # Bidders from the tender's regional pool: j * 4729 walks the pool without repeats.
        """INSERT INTO bidding_bid (id, status, status_reason, status_changed_at, created_at, created_by_id,
                                    supplier_id, tender_id)
           SELECT %(o)s + (t - 1) * %(per)s + j + 1, 'not_awarded', '', now(), now(), %(o)s + 1,
                  %(o)s + 1 + (t %% %(nregions)s) * %(pool)s + ((t * 7919 + j * 4729) %% %(pool)s), %(o)s + t
             FROM generate_series(1, %(tenders)s) t, generate_series(0, %(per)s - 1) j""",
        """INSERT INTO bidding_bidversion (id, number, sealed_content, commitment, idempotency_key, submitted_at,
                                           bid_id, submitted_by_id, supplier_id, tender_id)
           SELECT b.id, 1, '\\x00'::bytea, md5(b.id::text), gen_random_uuid(), t.submission_deadline, b.id,
                  %(o)s + 1, b.supplier_id, b.tender_id
             FROM bidding_bid b JOIN tenders_tender t ON t.id = b.tender_id WHERE b.id > %(o)s""",
        """INSERT INTO bidding_openingrecord (id, opened_at, outcome, evaluation_method, currency, bid_count,
                                              valid_count, withdrawn_count, reserve_prices, tender_id, reference_price)
           SELECT t.id, t.opening_at, 'opened', 'lowest_price', 'KRW', %(per)s, %(per)s, 0, '[]', t.id,
                  t.estimated_value
             FROM tenders_tender t WHERE t.id > %(o)s""",
        # Prices 85-105 %% of the estimate; every 50th tender has two identical prices.
        """INSERT INTO bidding_openedbid (id, commitment, commitment_ok, outcome, problem, currency, tied, price_lines,
                                          declarations, reserve_picks, submitted_at, bid_id, supplier_id, version_id,
                                          opening_id, price, price_ratio)
           SELECT b.id, md5(b.id::text), true, 'ranked', '', 'KRW', false, '[]', '{}', '[]', t.submission_deadline,
                  b.id, b.supplier_id, b.id, t.id, p.price, round(p.price * 100 / t.estimated_value, 4)
             FROM bidding_bid b JOIN tenders_tender t ON t.id = b.tender_id,
                  LATERAL (SELECT CASE WHEN t.id %% 50 = 0 AND (b.id - %(o)s - 1) %% %(per)s < 2
                                       THEN round(t.estimated_value * 0.9, 0)
                                       ELSE round(t.estimated_value * (0.85 + (('x' || left(md5(b.id::text), 8))
                                                  ::bit(32)::bigint %% 200000) / 1000000.0), 0) END AS price) p
            WHERE b.id > %(o)s""",
        # Every 40th tender: its lowest bid disqualified.
        """UPDATE bidding_bid b SET status = 'disqualified'
             FROM (SELECT DISTINCT ON (opening_id) bid_id FROM bidding_openedbid
                    WHERE opening_id > %(o)s AND opening_id %% 40 = 0 ORDER BY opening_id, price, id) low
            WHERE b.id = low.bid_id""",
        """INSERT INTO contracts_award (id, evaluation_round, status, value, currency, proposed_at, cancellation_reason,
                                        bid_id, proposed_by_id, supplier_id, tender_id, standstill_started_at,
                                        finalised_at)
           SELECT DISTINCT ON (ob.opening_id) ob.opening_id, 1, 'final', ob.price, 'KRW', t.opening_at, '', ob.bid_id,
                  %(o)s + 1, ob.supplier_id, ob.opening_id, t.opening_at + interval '2 days',
                  t.opening_at + interval '9 days'
             FROM bidding_openedbid ob JOIN bidding_bid b ON b.id = ob.bid_id
             JOIN tenders_tender t ON t.id = ob.opening_id
            WHERE b.status <> 'disqualified' AND ob.opening_id > %(o)s
            ORDER BY ob.opening_id, ob.price, ob.id""",
        "UPDATE bidding_bid b SET status = 'awarded' FROM contracts_award a WHERE a.bid_id = b.id",
        # Origins: every bid its own address, except every 60th tender's first two bids share one.
        """INSERT INTO integrity_bidorigin (version_id, tender_id, supplier_id, network_hash, fingerprint_hash,
                                            fingerprint_source, recorded_at)
           SELECT v.id, v.tender_id, v.supplier_id,
                  md5(CASE WHEN v.tender_id %% 60 = 0 AND (v.id - %(o)s - 1) %% %(per)s < 2
                           THEN 'shared-' || v.tender_id ELSE 'net-' || v.id END),
                  md5('fp-' || v.id), 'client', now()
             FROM bidding_bidversion v WHERE v.id > %(o)s""",
        # Every 100th tender: a question by one supplier, then an amendment of the description.
        """INSERT INTO tenders_tenderversion (tender_id, amendment_number, reason, snapshot, created_at, created_by_id)
           SELECT t.id, n, '', jsonb_build_object('description', 'v' || n), t.published_at + make_interval(days => n),
                  %(o)s + 1
             FROM tenders_tender t, generate_series(0, 1) n WHERE t.id > %(o)s AND t.id %% 100 = 0""",
        """INSERT INTO tenders_clarification (question, asked_at, answer, asked_by_id, supplier_id, tender_id)
           SELECT 'Q', t.published_at + interval '12 hours', '', %(o)s + 1,
                  %(o)s + 1 + (t.id %% %(nregions)s) * %(pool)s + ((t.id * 7919) %% %(pool)s), t.id
             FROM tenders_tender t WHERE t.id > %(o)s AND t.id %% 100 = 0""",
    ]
    # The rows are consistent by construction; checking each foreign key row by row (Django's are
    # deferred triggers) would triple the time. Replica mode skips those triggers for this session.
    cursor.execute("SET session_replication_role = replica")
    steps = []
    for sql in statements:
        began = time.perf_counter()
        cursor.execute(sql, params)
        steps.append(round(time.perf_counter() - began, 1))
    for table in (
        "procurement_user", "tenders_procuringentity", "suppliers_supplier", "tenders_tender", "bidding_bid",
        "bidding_bidversion", "bidding_openingrecord", "bidding_openedbid", "contracts_award",
    ):  # fmt: skip
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    cursor.execute("SET session_replication_role = DEFAULT")
    cursor.execute("ANALYZE")
    return steps


def run(args) -> dict:
    from django.db import connection

    from integrity import services
    from integrity.indicators import all_rules

    began = time.perf_counter()
    with connection.cursor() as cursor:
        steps = _generate(
            cursor,
            tenders=args.tenders,
            per_tender=args.bids_per_tender,
            suppliers=args.suppliers,
            entities=args.entities,
        )
        cursor.execute(
            "SELECT (SELECT count(*) FROM tenders_tender WHERE id > %(o)s),"
            " (SELECT count(*) FROM bidding_bid WHERE id > %(o)s)",
            {"o": OFFSET},
        )
        tender_count, bid_count = cursor.fetchone()
    generated = time.perf_counter() - began

    rules = {}
    total = 0.0
    for rule in all_rules():
        run_began = time.perf_counter()
        result = services.rule_run(rule=rule)
        seconds = time.perf_counter() - run_began
        total += seconds
        rules[rule.id] = {"stage": rule.stage, "seconds": round(seconds, 2), "flags": result.found}

    # What the sweep does after one tender's opening: the opening-stage rules for that tender alone.
    from integrity.models import Stage

    one = OFFSET + args.tenders // 2
    sweep_began = time.perf_counter()
    for stage in (Stage.OPENING, Stage.AWARD):
        services.rules_run_stage(stage=stage, tender_ids=[one])
    return {
        "tenders": tender_count,
        "bids": bid_count,
        "generate_seconds": round(generated, 1),
        "generate_steps_seconds": steps,
        "rules": rules,
        "all_rules_seconds": round(total, 1),
        "one_tender_opening_and_award_rules_ms": round((time.perf_counter() - sweep_began) * 1000, 1),
    }

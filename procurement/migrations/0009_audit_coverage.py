from django.db import migrations

# The commit-time guard of 0004/0005/0008 in one index probe per changed row (docs/architecture.md
# §3.4, §7). It used to read `data->'related' ? key` over every audit entry of the transaction for
# every changed row: quadratic for an opening, where one entry names thousands of bids.
#
# Now an audit entry, as it is inserted, writes the keys it names — its object and every key of its
# `data.related` — to `procurement_auditcoverage` under the inserting transaction's id, through a
# SECURITY DEFINER trigger owned by the owner role. The application role may read that table and
# nothing else (procurement.dbroles.app_role_grant): the only way to cover a change is to append an
# entry naming it, as before. The guard then asks one primary-key question per changed row:
# (this transaction, this object type, this key). Same guarantee: a guarded row changed in a
# transaction with no entry naming it is refused at commit; an entry rolled back to a savepoint
# takes its coverage with it; coverage of one transaction never counts in another (64-bit
# transaction ids never repeat). Coverage uses the transaction's own id, never the `xid` column the
# writer supplies.
#
# The table is UNLOGGED: it only matters inside the transaction that wrote it, so a crash that
# empties it loses nothing, and it costs no WAL. Rows of finished transactions are dropped by
# `procurement_audit_coverage_prune()` (the transparency beat job calls it).
SQL = """
CREATE UNLOGGED TABLE procurement_auditcoverage (
    xid bigint NOT NULL,
    object_type text NOT NULL,
    object_id text NOT NULL,
    PRIMARY KEY (xid, object_type, object_id)
);

-- `?` in the old guard matched an object's keys, an array's string elements or a string itself.
CREATE FUNCTION procurement_audit_keys(value jsonb) RETURNS SETOF text
LANGUAGE sql IMMUTABLE AS $$
    SELECT k FROM jsonb_object_keys(CASE WHEN jsonb_typeof(value) = 'object' THEN value END) AS k
    UNION ALL
    SELECT e FROM jsonb_array_elements(CASE WHEN jsonb_typeof(value) = 'array' THEN value END) AS a(v),
        LATERAL (SELECT v #>> '{}' AS e) AS s WHERE jsonb_typeof(v) = 'string'
    UNION ALL
    SELECT value #>> '{}' WHERE jsonb_typeof(value) = 'string'
$$;

CREATE FUNCTION procurement_audit_cover() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    tx bigint := pg_current_xact_id()::text::bigint;
    related jsonb := NEW.data -> 'related';
BEGIN
    INSERT INTO public.procurement_auditcoverage (xid, object_type, object_id)
    SELECT tx, NEW.object_type, NEW.object_id
    UNION
    SELECT tx, r.key, k
    FROM jsonb_each(CASE WHEN jsonb_typeof(related) = 'object' THEN related END) AS r,
        LATERAL public.procurement_audit_keys(r.value) AS k
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;

CREATE TRIGGER procurement_auditentry_cover
    AFTER INSERT ON procurement_auditentry
    FOR EACH ROW EXECUTE FUNCTION procurement_audit_cover();

CREATE FUNCTION procurement_audit_coverage_prune() RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    WITH gone AS (
        DELETE FROM public.procurement_auditcoverage
        WHERE xid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
        RETURNING 1
    )
    SELECT count(*) FROM gone
$$;

CREATE OR REPLACE FUNCTION procurement_require_audit_entry() RETURNS trigger AS $$
DECLARE
    key text;
BEGIN
    IF TG_NARGS > 1 THEN
        IF TG_OP = 'DELETE' THEN key := to_jsonb(OLD) ->> TG_ARGV[1]; ELSE key := to_jsonb(NEW) ->> TG_ARGV[1]; END IF;
    ELSIF TG_OP = 'DELETE' THEN
        key := OLD.id::text;
    ELSE
        key := NEW.id::text;
    END IF;
    IF TG_NARGS > 2 THEN
        EXECUTE TG_ARGV[2] INTO key USING key;
    END IF;
    PERFORM 1 FROM procurement_auditcoverage
    WHERE xid = pg_current_xact_id()::text::bigint AND object_type = TG_ARGV[0] AND object_id = key;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unaudited change to % % refused: it must go through a service that writes an audit entry',
            TG_ARGV[0], key USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

# Entries written before this migration have no coverage rows; they belong to finished transactions.
REVERSE_SQL = """
CREATE OR REPLACE FUNCTION procurement_require_audit_entry() RETURNS trigger AS $$
DECLARE
    changed jsonb;
    key text;
BEGIN
    IF TG_OP = 'DELETE' THEN changed := to_jsonb(OLD); ELSE changed := to_jsonb(NEW); END IF;
    key := changed ->> (CASE WHEN TG_NARGS > 1 THEN TG_ARGV[1] ELSE 'id' END);
    IF TG_NARGS > 2 THEN
        EXECUTE TG_ARGV[2] INTO key USING key;
    END IF;
    IF NOT EXISTS (
        SELECT 1 FROM procurement_auditentry
        WHERE xid = pg_current_xact_id()::text::bigint
          AND ((object_type = TG_ARGV[0] AND object_id = key) OR (data -> 'related' -> TG_ARGV[0]) ? key)
    ) THEN
        RAISE EXCEPTION 'unaudited change to % % refused: it must go through a service that writes an audit entry',
            TG_ARGV[0], key USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
DROP FUNCTION procurement_audit_coverage_prune();
DROP TRIGGER procurement_auditentry_cover ON procurement_auditentry;
DROP FUNCTION procurement_audit_cover();
DROP FUNCTION procurement_audit_keys(jsonb);
DROP TABLE procurement_auditcoverage;
"""


class Migration(migrations.Migration):
    dependencies = [("procurement", "0008_audited_tender_documents")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]

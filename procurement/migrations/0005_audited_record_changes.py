from django.db import migrations

# No record changes without an entry, for bids, opened bids, awards, contracts, their versions and
# signatures as for tenders (0004): at commit, a changed row must be named by an audit entry of the
# same transaction — as the entry's object, or in the entry's `data.related` (one entry for many
# rows: opening moves every bid of a tender with one entry). docs/architecture.md §3.4.
#
# The function's arguments: the object type the entry names; the column holding that object's id
# (default `id`: an opened bid is covered by an entry about its bid, `bid_id`); and optionally a
# query mapping that value to the id (a signature's version → its contract).
SQL = """
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
"""

# (table, condition on UPDATE, trigger arguments)
GUARDED = [
    (
        "bidding_bid",
        "OLD.status IS DISTINCT FROM NEW.status OR OLD.status_reason IS DISTINCT FROM NEW.status_reason"
        " OR OLD.current_version_id IS DISTINCT FROM NEW.current_version_id"
        " OR OLD.tender_id IS DISTINCT FROM NEW.tender_id OR OLD.supplier_id IS DISTINCT FROM NEW.supplier_id",
        "'bidding.bid'",
    ),
    (
        "bidding_openedbid",
        "OLD.outcome IS DISTINCT FROM NEW.outcome OR OLD.rank IS DISTINCT FROM NEW.rank"
        " OR OLD.tied IS DISTINCT FROM NEW.tied OR OLD.price IS DISTINCT FROM NEW.price"
        " OR OLD.commitment_ok IS DISTINCT FROM NEW.commitment_ok OR OLD.bid_id IS DISTINCT FROM NEW.bid_id",
        "'bidding.bid', 'bid_id'",
    ),
    (
        "contracts_award",
        "OLD.status IS DISTINCT FROM NEW.status OR OLD.value IS DISTINCT FROM NEW.value"
        " OR OLD.bid_id IS DISTINCT FROM NEW.bid_id OR OLD.supplier_id IS DISTINCT FROM NEW.supplier_id",
        "'contracts.award'",
    ),
    (
        "contracts_contract",
        "OLD.status IS DISTINCT FROM NEW.status OR OLD.value IS DISTINCT FROM NEW.value"
        " OR OLD.start_date IS DISTINCT FROM NEW.start_date OR OLD.end_date IS DISTINCT FROM NEW.end_date"
        " OR OLD.signed_at IS DISTINCT FROM NEW.signed_at OR OLD.supplier_id IS DISTINCT FROM NEW.supplier_id",
        "'contracts.contract'",
    ),
    (
        "contracts_contractversion",
        "OLD.value IS DISTINCT FROM NEW.value OR OLD.start_date IS DISTINCT FROM NEW.start_date"
        " OR OLD.end_date IS DISTINCT FROM NEW.end_date OR OLD.signed_at IS DISTINCT FROM NEW.signed_at",
        "'contracts.contract', 'contract_id'",
    ),
    (
        "contracts_signature",
        "TRUE",
        "'contracts.contract', 'version_id',"
        " 'SELECT contract_id::text FROM contracts_contractversion WHERE id = $1::bigint'",
    ),
]


def _triggers(table: str, condition: str, arguments: str) -> str:
    return f"""
CREATE CONSTRAINT TRIGGER {table}_audited_update
    AFTER UPDATE ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN ({condition})
    EXECUTE FUNCTION procurement_require_audit_entry({arguments});
CREATE CONSTRAINT TRIGGER {table}_audited_insert_delete
    AFTER INSERT OR DELETE ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION procurement_require_audit_entry({arguments});
"""


REVERSE_SQL = "".join(
    f"DROP TRIGGER {table}_audited_update ON {table}; DROP TRIGGER {table}_audited_insert_delete ON {table};\n"
    for table, _, _ in GUARDED
)


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0004_audited_tender_changes"),
        ("bidding", "0003_key_shares_browser_sealing"),
        ("contracts", "0001_initial"),
    ]

    operations = [
        # The function is replaced in place (0004's tender trigger keeps working: its one argument
        # means the same); reversing leaves the wider function, which 0004's trigger still accepts.
        migrations.RunSQL(SQL, migrations.RunSQL.noop),
        migrations.RunSQL("".join(_triggers(*guarded) for guarded in GUARDED), REVERSE_SQL),
    ]

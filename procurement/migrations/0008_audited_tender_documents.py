from django.db import migrations

# A tender's documents and its sealed reserve prices change only with an entry about the tender in
# the same transaction (the services write tender.document_add / _remove, tender.amend,
# tender.retender, tender.reserve_prices_sealed), as its timeline does (0004, 0005).
TABLES = [
    (
        "tenders_tenderdocument",
        "OLD.file IS DISTINCT FROM NEW.file OR OLD.sha256 IS DISTINCT FROM NEW.sha256"
        " OR OLD.tender_id IS DISTINCT FROM NEW.tender_id OR OLD.amendment_number IS DISTINCT FROM NEW.amendment_number",
    ),
    (
        "tenders_reservepriceset",
        "OLD.ciphertext IS DISTINCT FROM NEW.ciphertext OR OLD.commitment IS DISTINCT FROM NEW.commitment"
        " OR OLD.base_price IS DISTINCT FROM NEW.base_price OR OLD.tender_id IS DISTINCT FROM NEW.tender_id",
    ),
]

SQL = "".join(
    f"""
CREATE CONSTRAINT TRIGGER {table}_audited_update
    AFTER UPDATE ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN ({condition})
    EXECUTE FUNCTION procurement_require_audit_entry('tenders.tender', 'tender_id');
CREATE CONSTRAINT TRIGGER {table}_audited_insert_delete
    AFTER INSERT OR DELETE ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION procurement_require_audit_entry('tenders.tender', 'tender_id');
"""
    for table, condition in TABLES
)
REVERSE_SQL = "".join(
    f"DROP TRIGGER {table}_audited_update ON {table}; DROP TRIGGER {table}_audited_insert_delete ON {table};\n"
    for table, _condition in TABLES
)


class Migration(migrations.Migration):
    dependencies = [("procurement", "0007_merge_20261130_1011"), ("tenders", "0005_custodians_sealed_reserve_prices")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]

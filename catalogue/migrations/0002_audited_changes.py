from django.db import migrations

# As for tenders (procurement 0004): at commit, an order, invoice or catalogue item whose status
# or money changed must have an audit entry about it written by the same transaction.
TABLES = {
    "catalogue_order": ("catalogue.order", ["status", "total"]),
    "catalogue_invoice": ("catalogue.invoice", ["status", "total", "paid_at", "due_at"]),
    "catalogue_catalogueitem": ("catalogue.catalogueitem", ["status", "unit_price"]),
}


def _sql():
    statements = []
    for table, (label, columns) in TABLES.items():
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
        statements.append(
            f"CREATE CONSTRAINT TRIGGER {table}_audited_change AFTER UPDATE ON {table} "
            f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ({changed}) "
            f"EXECUTE FUNCTION procurement_require_audit_entry('{label}');"
        )
    return "\n".join(statements)


REVERSE = "\n".join(f"DROP TRIGGER {table}_audited_change ON {table};" for table in TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0001_initial"),
        ("procurement", "0004_audited_tender_changes"),
    ]

    operations = [migrations.RunSQL(_sql(), REVERSE)]

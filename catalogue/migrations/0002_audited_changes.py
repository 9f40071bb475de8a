from django.db import migrations

# As for tenders, bids and contracts (procurement 0004, 0005): at commit, an order, invoice or
# catalogue item whose status or money changed must be named by an audit entry of the same
# transaction; orders and invoices also when they are created or deleted. (Items are created by a
# service that audits them too, but the catalogue bench bulk-loads them: their insert is not guarded.)
TABLES = {
    "catalogue_order": ("catalogue.order", ["status", "total"], True),
    "catalogue_invoice": ("catalogue.invoice", ["status", "total", "paid_at", "due_at"], True),
    "catalogue_catalogueitem": ("catalogue.catalogueitem", ["status", "unit_price"], False),
}


def _sql():
    statements = []
    for table, (label, columns, inserts) in TABLES.items():
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
        statements.append(
            f"CREATE CONSTRAINT TRIGGER {table}_audited_change AFTER UPDATE ON {table} "
            f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ({changed}) "
            f"EXECUTE FUNCTION procurement_require_audit_entry('{label}');"
        )
        if inserts:
            statements.append(
                f"CREATE CONSTRAINT TRIGGER {table}_audited_insert_delete AFTER INSERT OR DELETE ON {table} "
                f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                f"EXECUTE FUNCTION procurement_require_audit_entry('{label}');"
            )
    return "\n".join(statements)


REVERSE = "\n".join(
    f"DROP TRIGGER {table}_audited_change ON {table};"
    + (f" DROP TRIGGER {table}_audited_insert_delete ON {table};" if inserts else "")
    for table, (_label, _columns, inserts) in TABLES.items()
)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0001_initial"),
        ("procurement", "0005_audited_record_changes"),
    ]

    operations = [migrations.RunSQL(_sql(), REVERSE)]

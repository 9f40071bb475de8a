from django.db import migrations

# No record changes without an entry: at commit, every tender whose timeline, status or value
# changed must have an audit entry about it written by the same transaction (the services write
# one; an `.update()` or a hand-written UPDATE outside them is refused). Deferred to commit, so a
# service may change the row first and write its entry last.
SQL = """
CREATE FUNCTION procurement_require_audit_entry() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM procurement_auditentry
        WHERE xid = pg_current_xact_id()::text::bigint AND object_type = TG_ARGV[0] AND object_id = NEW.id::text
    ) THEN
        RAISE EXCEPTION 'unaudited change to % % refused: it must go through a service that writes an audit entry',
            TG_ARGV[0], NEW.id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER tenders_tender_audited_change
    AFTER UPDATE ON tenders_tender
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (
        OLD.status IS DISTINCT FROM NEW.status
        OR OLD.clarification_deadline IS DISTINCT FROM NEW.clarification_deadline
        OR OLD.submission_deadline IS DISTINCT FROM NEW.submission_deadline
        OR OLD.opening_at IS DISTINCT FROM NEW.opening_at
        OR OLD.estimated_value IS DISTINCT FROM NEW.estimated_value
    )
    EXECUTE FUNCTION procurement_require_audit_entry('tenders.tender');
"""

REVERSE_SQL = """
DROP TRIGGER tenders_tender_audited_change ON tenders_tender;
DROP FUNCTION procurement_require_audit_entry();
"""


class Migration(migrations.Migration):
    dependencies = [("procurement", "0003_transparency_log"), ("tenders", "0004_classifications")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]

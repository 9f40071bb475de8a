from django.db import migrations

# The audit log is append-only in the database itself, whatever the application does.
SQL = """
CREATE FUNCTION procurement_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER procurement_auditentry_append_only
    BEFORE UPDATE OR DELETE ON procurement_auditentry
    FOR EACH ROW EXECUTE FUNCTION procurement_audit_refuse_change();
"""

REVERSE_SQL = """
DROP TRIGGER procurement_auditentry_append_only ON procurement_auditentry;
DROP FUNCTION procurement_audit_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("procurement", "0001_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]

"""Two database roles: the owner runs migrations, the application may only INSERT and SELECT the log.

`roles_create` runs once per database as a superuser (or a role with CREATEROLE that owns the
database); `app_role_grant` runs as the owner after every `migrate`. Both are idempotent. The
application role owns nothing, so it cannot ALTER a table, DISABLE TRIGGER or TRUNCATE; on the
log's tables it has no UPDATE or DELETE either, the audit coverage table (what the commit-time
guard reads) it may only read, and without superuser rights it cannot switch triggers off with
`session_replication_role`.
"""

from psycopg2 import sql

LOG_TABLES = ("procurement_auditentry", "procurement_logleaf", "procurement_lognode", "procurement_treehead")
# Written only by the audit log's own trigger (procurement migration 0009): read-only for the app.
COVERAGE_TABLE = "procurement_auditcoverage"

_OWNED_KINDS = {"r": "TABLE", "p": "TABLE", "S": "SEQUENCE", "v": "VIEW", "m": "MATERIALIZED VIEW"}


def _role_ensure(cursor, name: str, password: str | None) -> None:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
    if cursor.fetchone() is None:
        cursor.execute(
            sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS").format(
                sql.Identifier(name)
            )
        )
    if password:
        cursor.execute(sql.SQL("ALTER ROLE {} PASSWORD %s").format(sql.Identifier(name)), [password])


def roles_create(
    cursor, *, database: str, owner: str, app: str, owner_password: str | None = None, app_password: str | None = None
) -> None:
    """Create both roles if missing; hand the database, its schema and every object in it to the owner."""
    _role_ensure(cursor, owner, owner_password)
    _role_ensure(cursor, app, app_password)
    owner_id, app_id = sql.Identifier(owner), sql.Identifier(app)
    cursor.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(database), owner_id))
    cursor.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(owner_id))
    # The search's extension, made here by the superuser so that its functions, like every function
    # below, belong to the owner: a migration tunes one of them (tenders 0012: ALTER FUNCTION … COST).
    # Made by the owner's own migration instead, a trusted extension's functions stay the superuser's.
    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # Sequences that belong to a column (serial, identity) follow their table.
    cursor.execute(
        "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind = ANY(%s) AND pg_get_userbyid(c.relowner) <> %s "
        "AND NOT (c.relkind = 'S' AND EXISTS "
        "(SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))",
        [list(_OWNED_KINDS), owner],
    )
    for name, kind in cursor.fetchall():
        cursor.execute(
            sql.SQL("ALTER {} {} OWNER TO {}").format(sql.SQL(_OWNED_KINDS[kind]), sql.Identifier(name), owner_id)
        )
    cursor.execute(
        "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> %s",
        [owner],
    )
    for (signature,) in cursor.fetchall():
        cursor.execute(sql.SQL("ALTER FUNCTION {} OWNER TO {}").format(sql.SQL(signature), owner_id))
    cursor.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(app_id))
    cursor.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), app_id))


def app_role_grant(cursor, *, app: str) -> None:
    """Read and write the business tables; only INSERT and SELECT on the log's tables."""
    app_id = sql.Identifier(app)
    cursor.execute(sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(app_id))
    # USAGE gives nextval() without setval(): the app can draw numbers, not rewind them.
    cursor.execute(sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {}").format(app_id))
    cursor.execute(sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(app_id))
    for table in LOG_TABLES:
        cursor.execute(
            sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {} FROM {}").format(
                sql.Identifier(table), app_id
            )
        )
    cursor.execute(
        sql.SQL("REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {} FROM {}").format(
            sql.Identifier(COVERAGE_TABLE), app_id
        )
    )

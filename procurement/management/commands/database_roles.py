import environ
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from procurement.dbroles import app_role_grant, roles_create


class Command(BaseCommand):
    help = (
        "Database roles, idempotently. `create` (as a superuser): the owner and application roles, the "
        "database and its objects owned by the owner. `grant` (as the owner, after every migrate): the "
        "application role's privileges, INSERT and SELECT only on the audit log's tables."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="step", required=True)
        # Names and passwords come from the two URLs (environment), so no password is on a command line.
        create = sub.add_parser("create")
        create.add_argument("--owner", help="default: the user of DATABASE_OWNER_URL")
        create.add_argument("--app", help="default: the user of DATABASE_APP_URL")
        grant = sub.add_parser("grant")
        grant.add_argument("--app", help="default: the user of DATABASE_APP_URL")

    def _role(self, options, key: str, variable: str) -> tuple[str, str | None]:
        env = environ.Env()
        url = env.db_url(variable, default="") if env.str(variable, default="") else {}
        name = options.get(key) or url.get("USER")
        if not name:
            raise CommandError(f"Name the {key} role with --{key} or {variable}.")
        return name, url.get("PASSWORD") or None

    def handle(self, *args, step, **options):
        app, app_password = self._role(options, "app", "DATABASE_APP_URL")
        with transaction.atomic(), connection.cursor() as cursor:
            if step == "create":
                owner, owner_password = self._role(options, "owner", "DATABASE_OWNER_URL")
                options.update(owner=owner, app=app)
                roles_create(
                    cursor,
                    database=connection.settings_dict["NAME"],
                    owner=owner,
                    app=app,
                    owner_password=owner_password,
                    app_password=app_password,
                )
                self.stdout.write(f"Roles ready: {options['owner']} owns the database, {options['app']} connects.")
            else:
                app_role_grant(cursor, app=app)
                self.stdout.write(f"Granted {app}: read/write, the audit log insert-only.")

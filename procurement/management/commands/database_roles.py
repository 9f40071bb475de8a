from django.core.management.base import BaseCommand
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
        create = sub.add_parser("create")
        create.add_argument("--owner", required=True)
        create.add_argument("--app", required=True)
        create.add_argument("--owner-password", default=None)
        create.add_argument("--app-password", default=None)
        grant = sub.add_parser("grant")
        grant.add_argument("--app", required=True)

    def handle(self, *args, step, **options):
        with transaction.atomic(), connection.cursor() as cursor:
            if step == "create":
                roles_create(
                    cursor,
                    database=connection.settings_dict["NAME"],
                    owner=options["owner"],
                    app=options["app"],
                    owner_password=options["owner_password"],
                    app_password=options["app_password"],
                )
                self.stdout.write(f"Roles ready: {options['owner']} owns the database, {options['app']} connects.")
            else:
                app_role_grant(cursor, app=options["app"])
                self.stdout.write(f"Granted {options['app']}: read/write, the audit log insert-only.")

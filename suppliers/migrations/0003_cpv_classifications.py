"""Load the CPV 2008 divisions and groups from suppliers/data/cpv.csv (see suppliers/data/README.md)."""

import csv
from pathlib import Path

from django.db import migrations

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "cpv.csv"


def load_cpv(apps, schema_editor):
    Classification = apps.get_model("suppliers", "Classification")
    with CSV_PATH.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # Divisions first (their parent is empty), so every group finds its parent already stored.
    by_code = {}
    for row in sorted(rows, key=lambda r: (bool(r["parent"]), r["code"])):
        obj, _ = Classification.objects.update_or_create(
            scheme="CPV",
            code=row["code"],
            defaults={
                "title_en": row["title_en"],
                "title_ko": row["title_ko"],
                "parent": by_code.get(row["parent"]) if row["parent"] else None,
            },
        )
        by_code[row["code"]] = obj


def unload_cpv(apps, schema_editor):
    Classification = apps.get_model("suppliers", "Classification")
    Classification.objects.filter(scheme="CPV", parent__isnull=False).delete()
    Classification.objects.filter(scheme="CPV").delete()


class Migration(migrations.Migration):
    dependencies = [("suppliers", "0002_sanction_supplierdocument_supplierinvitation_and_more")]

    operations = [migrations.RunPython(load_cpv, unload_cpv)]

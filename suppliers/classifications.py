"""The shipped classification list (suppliers/data/cpv.csv): loading it again when it is missing.

Migration 0003 loads it once. A database flushed since (the test runner does this after every
browser test, or an operator truncating tables) gets it back with `cpv_ensure()` or
`manage.py load_classifications`.
"""

import csv
from pathlib import Path

from django.db import transaction

CPV_CSV = Path(__file__).resolve().parent / "data" / "cpv.csv"


def cpv_rows() -> list[dict]:
    with CPV_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def cpv_load() -> int:
    """Create or update every CPV division and group; returns how many rows the file has."""
    from .models import Classification

    rows = cpv_rows()
    by_code: dict[str, Classification] = {}
    with transaction.atomic():
        # Divisions first, so every group finds its parent.
        for row in sorted(rows, key=lambda r: (bool(r["parent"]), r["code"])):
            obj, _ = Classification.objects.update_or_create(
                scheme=Classification.Scheme.CPV,
                code=row["code"],
                defaults={
                    "title_en": row["title_en"],
                    "title_ko": row["title_ko"],
                    "parent": by_code.get(row["parent"]) if row["parent"] else None,
                },
            )
            by_code[row["code"]] = obj
    return len(rows)


def cpv_ensure() -> None:
    from .models import Classification

    if Classification.objects.filter(scheme=Classification.Scheme.CPV).count() < len(cpv_rows()):
        cpv_load()

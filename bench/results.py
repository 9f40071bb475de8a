"""The issue table's rows as measured: one small writer every bench shares.

A bench measures its scenario and the reference side by side (interleaved rounds, `rounds()` helps),
then calls `record()` once per table row; `bench/run.py` calls `write()` at the end, which merges the
rows into `<results dir>/table.json` and `table.md` (a row measured again replaces the old one, rows
of benches not run this time are kept with the date they were measured, so `--only <suite>` updates
its own rows). A bench run alone (`python bench/<name>.py`) may call `write()` itself.

    from bench.results import record, rounds, spread

    times = rounds({"search": search_once, "detail": detail_once}, count=5)
    record(
        "public search, 100,000 tenders",
        value=spread(times["search"])["median"], unit="ms p95",
        reference=spread(times["detail"])["median"], reference_label="tender detail by id",
        ratio=..., target="≤ 5×", met=ratio <= 5,
        spread={"search": spread(times["search"]), "detail": spread(times["detail"])},
        notes="100,000 tenders, one searcher",
    )

Ratios are what the issue's targets are about; absolute figures depend on how busy the shared
machine is. `met` is the bench's own judgement against the target (None when not applicable).
"""

import json
import os
import platform
import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLE_JSON = "table.json"
TABLE_MD = "table.md"


@dataclass
class Row:
    name: str
    value: float | str | None
    reference: float | str | None = None
    ratio: float | None = None
    target: str = ""
    notes: str = ""
    unit: str = ""
    reference_label: str = ""
    met: bool | None = None
    spread: dict = field(default_factory=dict)
    measured_at: str = ""


_rows: dict[str, Row] = {}


def record(
    row_name: str,
    value,
    reference=None,
    ratio: float | None = None,
    target: str = "",
    notes: str = "",
    *,
    unit: str = "",
    reference_label: str = "",
    met: bool | None = None,
    spread: dict | None = None,
) -> Row:
    """Remember one row of the table for `write()`; the same name again replaces it."""
    row = Row(
        name=row_name,
        value=_rounded(value),
        reference=_rounded(reference),
        ratio=None if ratio is None else round(ratio, 4),
        target=target,
        notes=notes,
        unit=unit,
        reference_label=reference_label,
        met=met,
        spread=spread or {},
        measured_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    _rows[row_name] = row
    return row


def recorded() -> list[Row]:
    return list(_rows.values())


def rounds(scenarios: dict[str, Callable[[], float]], *, count: int) -> dict[str, list[float]]:
    """Run each scenario once per round, alternating, the order rotated every round so that none
    always runs first (or right after the same neighbour). Each callable returns its measurement."""
    names = list(scenarios)
    values: dict[str, list[float]] = {name: [] for name in names}
    for n in range(count):
        shift = n % len(names)
        for name in names[shift:] + names[:shift]:
            values[name].append(scenarios[name]())
    return values


def spread(values: list[float]) -> dict:
    """Median and spread of a scenario's rounds (what the table shows beside the median)."""
    ordered = sorted(values)
    return {
        "median": _rounded(statistics.median(ordered)),
        "min": _rounded(ordered[0]),
        "max": _rounded(ordered[-1]),
        "rounds": len(ordered),
        "values": [_rounded(v) for v in values],
    }


def write(results_dir: str | os.PathLike | None = None) -> Path:
    """Merge the rows recorded in this process into table.json and table.md; returns the folder."""
    out = Path(results_dir or os.environ.get("BENCH_RESULTS_DIR") or ROOT / "bench" / "results")
    out.mkdir(parents=True, exist_ok=True)
    path = out / TABLE_JSON
    rows: dict[str, dict] = {}
    if path.exists():
        try:
            rows = {row["name"]: row for row in json.loads(path.read_text()).get("rows", [])}
        except (ValueError, KeyError, TypeError):
            rows = {}
    rows.update({row.name: asdict(row) for row in _rows.values()})
    document = {
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "node": platform.node()},
        "rows": list(rows.values()),
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    tmp.replace(path)
    (out / TABLE_MD).write_text(_markdown(document))
    return out


def _markdown(document: dict) -> str:
    lines = [
        "# Benchmark table (ratios measured side by side in one run; absolute figures depend on the machine)",
        "",
        f"Written {document['written_at']} on {document['machine']['cpus']} CPUs.",
        "",
        "| measurement | ours | reference in the same run | ratio | target | met | spread (min–max) | notes |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in document["rows"]:
        value = f"{row['value']} {row['unit']}".strip() if row["value"] is not None else "—"
        reference = f"{row['reference_label']} {row['reference'] if row['reference'] is not None else ''}".strip()
        met = {True: "✔", False: "✘", None: "—"}[row["met"]]
        spreads = "; ".join(
            f"{name} {s['min']}–{s['max']} ({s['rounds']})"
            for name, s in row.get("spread", {}).items()
            if isinstance(s, dict) and "min" in s
        )
        cells = [row["name"], value, reference or "—", _fmt(row["ratio"]), row["target"], met, spreads or "—"]
        cells.append(f"{row['notes']} (measured {row['measured_at']})".strip())
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _fmt(ratio) -> str:
    return "—" if ratio is None else f"{ratio:g}"


def _rounded(value):
    if isinstance(value, float):
        return round(value, 4 if abs(value) < 10 else 1)
    return value

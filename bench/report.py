"""The results of `make bench`: one row per figure, the table printed at the end, the JSON
files in bench/results/.

A row is a plain dict (it goes into the JSON as it is): ``key`` names the figure the same
way on every engine, so the table can set PostgreSQL's figure and SQLite's side by side.
``ok`` is True (met), False (missed) or None (information, or not measured). Only the
judged engine's verdicts count (PostgreSQL: production's database); the other engine's
are shown in brackets.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

JUDGED = "postgresql"
ENGINE_TITLES = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


def row(
    key: str,
    label: str,
    value,
    unit: str,
    *,
    target: str = "",
    ok: bool | None = None,
    floor=None,
    floor_label: str = "",
    ratio: float | None = None,
    note: str = "",
) -> dict:
    """One figure. ``ratio`` defaults to value / floor when both are numbers."""
    if ratio is None and _number(value) and _number(floor) and floor:
        ratio = value / floor
    return {
        "key": key,
        "bench": label,
        "value": value,
        "unit": unit,
        "floor": floor,
        "floor_label": floor_label,
        "ratio": None if ratio is None else round(ratio, 3),
        "target": target,
        "ok": ok,
        "note": note,
    }


def failed_row(key: str, label: str, message: str) -> dict:
    """The row of a benchmark that did not run to its end."""
    return row(key, label, None, "", ok=False, note=f"failed: {message}")


def _number(x) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def fmt_number(x) -> str:
    """1,234 / 12.3 / 1.23 / 0.123: a few significant digits, thousands separated."""
    if x is None:
        return "—"
    if not _number(x):
        return str(x)
    if x == int(x) and abs(x) >= 100:
        return f"{int(x):,}"
    a = abs(x)
    if a >= 100:
        return f"{x:,.0f}"
    if a >= 10:
        return f"{x:.1f}"
    if a >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}"


def verdict(ok: bool | None, judged: bool) -> str:
    if ok is None:
        return ""
    word = "met" if ok else "MISSED"
    return word if judged else f"({word.lower()})"


def cell(r: dict | None, judged: bool) -> str:
    """An engine's figure: value, floor and ratio, verdict."""
    if r is None:
        return "not run"
    if r["value"] is None:
        return f"{verdict(r['ok'], judged)} {r['note']}".strip()
    text = f"{fmt_number(r['value'])} {r['unit']}".strip()
    if r["floor"] is not None:
        text += f" (floor {fmt_number(r['floor'])}"
        text += f", x{fmt_number(r['ratio'])})" if r["ratio"] is not None else ")"
    v = verdict(r["ok"], judged)
    return f"{text} {v}".strip()


def table(engines: dict[str, list[dict]]) -> str:
    """The figures of every engine, one line per figure (in the order first met), each
    engine's value beside its floor and the target, met or missed; then the floors and
    notes as footnotes."""
    names = sorted(engines, key=lambda e: (e != JUDGED, e))
    order: list[str] = []
    label: dict[str, str] = {}
    target: dict[str, str] = {}
    floors: dict[str, str] = {}
    by = {e: {} for e in names}
    for e in names:
        for r in engines[e]:
            if r["key"] not in label:
                order.append(r["key"])
                label[r["key"]] = r["bench"]
            target[r["key"]] = target.get(r["key"]) or r["target"]
            if r["floor_label"]:
                floors.setdefault(r["key"], r["floor_label"])
            by[e][r["key"]] = r
    head = ["benchmark", "target"] + [
        ENGINE_TITLES.get(e, e) + ("" if e == JUDGED or JUDGED not in names else " (not judged)")
        for e in names
    ]
    lines = []
    notes = []
    for k in order:
        mark = ""
        row_notes = []
        if k in floors:
            notes.append(f"floor: {floors[k]}")
            mark = f" [{len(notes)}]"
        lines.append(
            [label[k] + mark, target.get(k, "")]
            + [cell(by[e].get(k), e == JUDGED or JUDGED not in names) for e in names]
        )
        for e in names:
            r = by[e].get(k)
            if r and r["note"] and r["value"] is not None:
                notes.append(f"{ENGINE_TITLES.get(e, e)}: {r['note']}")
                row_notes.append(f"[{len(notes)}]")
        if row_notes:
            lines[-1][0] += " " + " ".join(row_notes)
    widths = [max(len(x[i]) for x in [head, *lines]) for i in range(len(head))]
    out = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip()]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(c.ljust(w) for c, w in zip(x, widths, strict=True)).rstrip() for x in lines]
    if notes:
        out.append("")
        out += [f"[{i}] {n}" for i, n in enumerate(notes, 1)]
    return "\n".join(out)


def summary(engines: dict[str, list[dict]]) -> str:
    """One line per engine: how many targets were met, and which were missed."""
    out = []
    for e in sorted(engines, key=lambda e: (e != JUDGED, e)):
        judged = [r for r in engines[e] if r["ok"] is not None]
        missed = [r["bench"] for r in judged if not r["ok"]]
        title = ENGINE_TITLES.get(e, e)
        if JUDGED in engines:
            title += " (judged)" if e == JUDGED else " (not judged)"
        line = f"{title}: {len(judged) - len(missed)} of {len(judged)} targets met"
        out.append(line + (f"; missed: {'; '.join(missed)}" if missed else ""))
    return "\n".join(out)


def file_names(started: str, *, quick: bool, partial: bool) -> tuple[str, str]:
    """(timestamped name, latest name). Only a complete full run is `latest.json`; quick
    and partial runs are named so (and quick ones are not committed: results/.gitignore)."""
    tag = ("-quick" if quick else "") + ("-partial" if partial else "")
    return f"{started}{tag}.json", f"latest{tag}.json"


def write(report: dict, directory: Path, started: str, *, quick: bool, partial: bool) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n"
    stamped, latest = file_names(started, quick=quick, partial=partial)
    (directory / stamped).write_text(text)
    (directory / latest).write_text(text)
    return directory / stamped

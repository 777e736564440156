"""The result rows, the printed table and the names of the result files."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import report  # noqa: E402
from report import row  # noqa: E402


def _engines():
    return {
        "sqlite": [
            row("intake", "window intake", 80.5, "cases/s", target=">= 100 cases/s", ok=False,
                floor=600, floor_label="/healthz req/s / 2"),
            row("scan", "supervision scan", 1.2, "s", target="< 2 s", ok=True),
        ],
        "postgresql": [
            row("intake", "window intake", 123.4, "cases/s", target=">= 100 cases/s", ok=True,
                floor=500, floor_label="/healthz req/s / 2", note="moonshot missed"),
            row("scan", "supervision scan", 2.5, "s", target="< 2 s", ok=False),
            report.failed_row("simulate", "simulate", "RuntimeError: boom"),
        ],
    }  # fmt: skip


def test_row_ratio_defaults_to_value_over_floor():
    assert row("k", "x", 50, "ms", floor=200)["ratio"] == 0.25
    assert row("k", "x", 50, "ms", floor=200, ratio=2 / 3)["ratio"] == 0.667
    assert row("k", "x", None, "ms", floor=200)["ratio"] is None
    assert row("k", "x", 5, "ms", floor=0)["ratio"] is None


def test_table_sets_the_engines_side_by_side_postgresql_judged():
    text = report.table(_engines())
    lines = text.splitlines()
    head = lines[0]
    assert head.index("PostgreSQL") < head.index("SQLite (not judged)")
    intake = next(line for line in lines if line.startswith("window intake"))
    assert ">= 100 cases/s" in intake
    assert "123 cases/s (floor 500, x0.247) met" in intake
    assert "80.5 cases/s (floor 600, x0.134) (missed)" in intake
    scan = next(line for line in lines if line.startswith("supervision scan"))
    assert "2.50 s MISSED" in scan and "1.20 s (met)" in scan
    simulate = next(line for line in lines if line.startswith("simulate"))
    assert "MISSED failed: RuntimeError: boom" in simulate
    assert simulate.rstrip().endswith("not run")  # SQLite has no such row
    # floors and notes as footnotes, marked on their rows
    assert "[1]" in intake and "[1] floor: /healthz req/s / 2" in text
    assert "[2]" in intake and "[2] PostgreSQL: moonshot missed" in text


def test_one_engine_alone_is_judged_as_it_is():
    text = report.table({"sqlite": _engines()["sqlite"]})
    assert "not judged" not in text
    assert "80.5 cases/s (floor 600, x0.134) MISSED" in text
    assert report.summary({"sqlite": _engines()["sqlite"]}) == (
        "SQLite: 1 of 2 targets met; missed: window intake"
    )


def test_summary_counts_targets_met_per_engine():
    text = report.summary(_engines())
    assert text.splitlines() == [
        "PostgreSQL (judged): 1 of 3 targets met; missed: supervision scan; simulate",
        "SQLite (not judged): 1 of 2 targets met; missed: window intake",
    ]


def test_numbers_are_shown_with_a_few_digits():
    assert [report.fmt_number(x) for x in (1234567, 123.4, 12.34, 1.234, 0.01234, None)] == [
        "1,234,567",
        "123",
        "12.3",
        "1.23",
        "0.012",
        "—",
    ]


def test_result_files(tmp_path):
    assert report.file_names("20270101T000000Z", quick=False, partial=False) == (
        "20270101T000000Z.json",
        "latest.json",
    )
    assert report.file_names("T", quick=True, partial=True) == (
        "T-quick-partial.json",
        "latest-quick-partial.json",
    )
    path = report.write({"engines": {}, "x": "张家港"}, tmp_path, "T", quick=True, partial=False)
    assert path.name == "T-quick.json"
    assert json.loads((tmp_path / "latest-quick.json").read_text())["x"] == "张家港"
    assert not (tmp_path / "latest.json").exists()

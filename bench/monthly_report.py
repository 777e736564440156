"""Benchmark of the monthly report (办件月报) over the simulated year.

    .venv/bin/python bench/monthly_report.py --database-url URL [--month 2025-06]
        [--repeats 3] [--json]

Measures on a database already holding the simulated year (`onewindow simulate --year
2025 --cases 910000`; bench/run.py builds it once per engine and passes its URL). The
database is migrated first (indexes added by later migrations). Then it times:

* ``app``: `reports.figures.monthly_figures(month)` for the whole centre, every hall in
  one report (the month and, for the month-on-month and year-on-year changes, the month
  before and the same month a year before), best of ``--repeats`` after one warm-up;
* ``per_hall``: the same report hall by hall (one call per hall), once;
* ``hand_sql``: one hand-written SQL query over the case events giving the main figures
  per hall of the same three months (received, accepted, refused, immediate, promised,
  concluded, decided, early / on time / overdue against the promised date), best of
  ``--repeats``;
* ``hand_sql_tally``: the same figures by one hand-written query over the monthly rows
  the services keep (`cases_casetally`), the data the report reads.

It checks that the hand queries and the report agree on those figures for every hall.
Floors: ``app`` < 1 s and ≤ 3 × ``hand_sql``; the ratio to ``hand_sql_tally`` is shown.
`run()` returns the figures as a dict.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_SECONDS = 1.0
MAX_RATIO = 3.0
MAIN = (
    "received",
    "accepted",
    "refused",
    "immediate",
    "promised",
    "concluded",
    "decided",
    "early_promised",
    "on_time_promised",
    "overdue_promised",
)


def run(database_url: str, month: str = "2025-06", repeats: int = 3, env=None) -> dict:
    """Measure in a child process (Django is set up there on ``database_url``)."""
    out = subprocess.run(
        [sys.executable, __file__, "--database-url", database_url, "--month", month]
        + ["--repeats", str(repeats), "--json"],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench(eng, ctx, results: list, details: dict) -> None:
    """bench/run.py's ``report`` step: the simulated year (``ctx.plan.sim_cases``) is
    written once into a copy of the engine's base database, settled, measured, dropped."""
    import report

    url = eng.copy("base", "report")
    cases = ctx.plan.sim_cases
    cmd = [str(Path(sys.executable).parent / "onewindow"), "simulate", "--year", "2025"]
    try:
        t0 = time.perf_counter()
        subprocess.run(
            [*cmd, "--cases", str(cases), "--seed", "1"],
            env=ctx.env(url),
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        build_s = time.perf_counter() - t0
        eng.settle("report")
        f = run(url, env=ctx.env(url))
    finally:
        eng.drop("report")
    f["build_s"] = round(build_s, 1)
    details["report"] = f
    results.append(
        report.row(
            "report_monthly",
            f"monthly report, all halls, {f['month']} ({f['cases']:,} cases)",
            f["app_s"],
            "s",
            floor=f["hand_sql_s"],
            floor_label="one hand-written SQL query over the case events, the same main figures",
            ratio=f["ratio"],
            target=f"< {MAX_SECONDS:g} s, ≤ {MAX_RATIO:g}× the SQL",
            ok=f["ok"],
            note=f"hall by hall {f['per_hall_s']} s; the same query over the monthly rows "
            f"{f['hand_sql_tally_s']} s (report {f['ratio_tally']}x it); figures agree: "
            f"{f['agree']}",
        )
    )


def _hand_sql(vendor: str) -> str:
    if vendor == "postgresql":

        def j(key):
            return f"(e.data->>'{key}')"
    else:

        def j(key):
            return f"json_extract(e.data, '$.{key}')"

    decided = f"e.kind = 'concluded' AND {j('result')} IN ('granted', 'refused')"
    accepted = "e.kind IN ('accepted', 'accepted_with_gaps')"

    def n(cond):
        return f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)"

    return f"""
SELECT c.hall_id,
       CASE WHEN e.at >= %s THEN 0 WHEN e.at >= %s THEN 1 ELSE 2 END AS bucket,
       {n("e.kind = 'received'")}, {n(accepted)}, {n("e.kind = 'refused'")},
       {n(f"{accepted} AND c.is_immediate")}, {n(f"{accepted} AND NOT c.is_immediate")},
       {n("e.kind = 'concluded'")}, {n(decided)},
       {n(f"{decided} AND {j('outcome_promised')} = 'early'")},
       {n(f"{decided} AND {j('outcome_promised')} = 'on_time'")},
       {n(f"{decided} AND {j('outcome_promised')} = 'overdue'")}
FROM cases_caseevent e JOIN cases_case c ON c.id = e.case_id
WHERE e.kind IN ('received', 'accepted', 'accepted_with_gaps', 'refused', 'concluded')
  AND ((e.at >= %s AND e.at < %s) OR (e.at >= %s AND e.at < %s) OR (e.at >= %s AND e.at < %s))
GROUP BY c.hall_id, bucket
"""


def _hand_sql_tally() -> str:
    """The same figures from the monthly rows the services keep (`cases_casetally`)."""
    sums = ", ".join(f"SUM(t.{name})" for name in MAIN)
    return f"""
SELECT t.hall_id, CASE WHEN t.month = %s THEN 0 WHEN t.month = %s THEN 1 ELSE 2 END AS bucket,
       {sums}
FROM cases_casetally t
WHERE t.month IN (%s, %s, %s)
GROUP BY t.hall_id, bucket
"""


def _measure(month: dt.date, repeats: int, migrate: bool = True) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from onewindow.cases.models import Case
    from onewindow.halls.models import Hall
    from onewindow.reports import figures

    t0 = time.perf_counter()
    if migrate:
        call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - t0
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")

    cpu: dict = {}

    def best(fn, key):
        """Best wall time of the runs; the CPU time of this process in that run (on
        SQLite the whole work, on PostgreSQL the client's share only)."""
        times = []
        result = None
        for _ in range(repeats):
            t, c = time.perf_counter(), time.process_time()
            result = fn()
            times.append(time.perf_counter() - t)
            if times[-1] == min(times):
                cpu[key] = time.process_time() - c
        return min(times), times, result

    # --- the hand-written query
    months = [month, figures.shift_month(month, -1), figures.shift_month(month, -12)]
    bounds = [figures.month_bounds(m) for m in months]
    params = [bounds[0][0], bounds[1][0]] + [x for b in bounds for x in b]
    sql = _hand_sql(connection.vendor)

    def hand():
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    hand()  # warm-up, as for the report
    sql_s, sql_all, rows = best(hand, "sql")

    # --- the hand-written query over the monthly rows
    tally_params = [months[0], months[1], *months]
    tally_sql = _hand_sql_tally()

    def hand_tally():
        with connection.cursor() as cur:
            cur.execute(tally_sql, tally_params)
            return cur.fetchall()

    hand_tally()
    tally_s, tally_all, tally_rows = best(hand_tally, "sql_tally")

    # --- the report
    figures.monthly_figures(month)
    app_s, app_all, report = best(lambda: figures.monthly_figures(month), "app")
    halls = list(Hall.objects.filter(pk__in=Case.objects.values("hall")).distinct())
    t = time.perf_counter()
    for hall in halls:
        figures.monthly_figures(month, hall)
    per_hall_s = time.perf_counter() - t

    # --- the two agree on the month's main figures, hall by hall
    codes = dict(Hall.objects.values_list("pk", "code"))
    by_sql = {codes[r[0]]: dict(zip(MAIN, (int(v or 0) for v in r[2:]), strict=True))
              for r in rows if r[1] == 0}  # fmt: skip
    by_tally = {codes[r[0]]: dict(zip(MAIN, (int(v or 0) for v in r[2:]), strict=True))
                for r in tally_rows if r[1] == 0}  # fmt: skip
    by_tally = {k: v for k, v in by_tally.items() if any(v.values())}
    by_app = {r["code"]: {k: r["counts"][k] for k in MAIN} for r in report["levels"]["hall"]}
    by_app = {k: v for k, v in by_app.items() if any(v.values())}
    by_sql = {k: v for k, v in by_sql.items() if any(v.values())}
    total = report["levels"]["total"][0]["counts"]
    return {
        "engine": connection.vendor,
        "month": month.strftime("%Y-%m"),
        "cases": Case.objects.count(),
        "halls": len(halls),
        "events_received_in_month": total["received"],
        "migrate_s": round(migrate_s, 2),
        "app_s": round(app_s, 3),
        "app_runs_s": [round(x, 3) for x in app_all],
        "per_hall_s": round(per_hall_s, 3),
        "hand_sql_s": round(sql_s, 3),
        "hand_sql_runs_s": [round(x, 3) for x in sql_all],
        "ratio": round(app_s / sql_s, 2) if sql_s else None,
        "hand_sql_tally_s": round(tally_s, 4),
        "hand_sql_tally_runs_s": [round(x, 4) for x in tally_all],
        "ratio_tally": round(app_s / tally_s, 1) if tally_s else None,
        "app_cpu_s": round(cpu["app"], 3),
        "hand_sql_cpu_s": round(cpu["sql"], 3),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "agree": by_sql == by_app == by_tally,
        "ok": app_s < MAX_SECONDS and app_s <= MAX_RATIO * sql_s and by_sql == by_app == by_tally,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a database with the simulation")
    parser.add_argument("--month", default="2025-06")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-migrate", action="store_true", help="measure as it is")
    parser.add_argument("--json", action="store_true", help="one line of JSON on stdout")
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "onewindow.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DEBUG"] = "0"  # as in production: DEBUG keeps every query it runs
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    year, mon = (int(x) for x in args.month.split("-"))
    result = _measure(dt.date(year, mon, 1), args.repeats, not args.no_migrate)
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:26} {v}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
